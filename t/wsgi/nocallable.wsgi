# Defines no "application".
def not_the_application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'wrong']
