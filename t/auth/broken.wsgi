# Hook script of t/15_auth that cannot be loaded.
raise ImportError('a15 broken hook script')
