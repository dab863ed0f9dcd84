# Loaded by WSGIImportScript when a process starts (on its main thread):
# registers a SIGUSR2 handler. Under WSGIRestrictSignal On (the default) the
# registration is ignored and logged (WSGIS0903, with this file in the
# stack); under Off it is installed (t/standalone/17_python_process.t).
import signal


def on_usr2(signum, frame):
    pass


PREVIOUS = signal.signal(signal.SIGUSR2, on_usr2)
