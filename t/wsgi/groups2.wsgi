import wsgitest_util

MODULE_HITS = 0


def application(environ, start_response):
    global MODULE_HITS
    with wsgitest_util.LOCK:
        MODULE_HITS += 1
        wsgitest_util.HITS += 1
        hits = (MODULE_HITS, wsgitest_util.HITS)
    info = wsgitest_util.module_info(globals())
    del info['sys_path']
    info['module_hits'], info['interpreter_hits'] = hits
    info['script'] = 'groups2'
    return wsgitest_util.json_response(start_response, info)
