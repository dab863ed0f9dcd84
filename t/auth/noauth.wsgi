# Hook script of t/15_auth that defines none of the hook functions.
def unrelated(environ):
    return True
