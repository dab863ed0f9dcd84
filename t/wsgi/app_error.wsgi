def application(environ, start_response):
    raise ValueError('app-boom from app_error.wsgi')
