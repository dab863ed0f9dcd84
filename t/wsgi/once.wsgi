# Appends "pid token" to t/logs/once.log each time this module is executed,
# slowly, so that concurrent first requests race for the import.
import os
import time
import wsgitest_util

with open(os.path.join(wsgitest_util.logs_dir(__file__), 'once.log'), 'a') as f:
    f.write('%d %s\n' % (os.getpid(), wsgitest_util.INTERPRETER_TOKEN))
time.sleep(0.5)
EXECUTIONS_HERE = 1


def application(environ, start_response):
    return wsgitest_util.json_response(start_response, {
        'pid': os.getpid(), 'token': wsgitest_util.INTERPRETER_TOKEN,
        'executions': EXECUTIONS_HERE})
