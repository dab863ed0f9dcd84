import wsgitest_util


def application(environ, start_response):
    return wsgitest_util.json_response(start_response, {
        'script': 'sethandler', 'file': __file__,
        'SCRIPT_NAME': environ.get('SCRIPT_NAME'), 'PATH_INFO': environ.get('PATH_INFO')})
