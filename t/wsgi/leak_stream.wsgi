def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])

    def gen():
        for i in range(5):
            yield b'chunk %d\n' % i

    return gen()
