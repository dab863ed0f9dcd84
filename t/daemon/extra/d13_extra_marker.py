"""Importable only where t/daemon/extra is on sys.path (python-path=)."""
WHERE = 'extra'
