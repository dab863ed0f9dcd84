"""Importable only through the second WSGIPythonPath entry."""
WHERE = 'pylib2'
