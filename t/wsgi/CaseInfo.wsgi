import wsgitest_util
import wsgitest_second


def application(environ, start_response):
    info = wsgitest_util.module_info(globals())
    info['second'] = wsgitest_second.WHERE
    return wsgitest_util.json_response(start_response, info)
