# Minimal Django settings for t/10_frameworks: no database, DEBUG off.
import os

SECRET_KEY = 'wsgiscript-test-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['*']
ROOT_URLCONF = 'djangosite.urls'
INSTALLED_APPS = []
MIDDLEWARE = [
    'django.middleware.common.CommonMiddleware',
]
DATABASES = {}
USE_TZ = True
TEMPLATES = []
# uploads above this size go to a temporary file in the (writable) logs dir
FILE_UPLOAD_MAX_MEMORY_SIZE = 65536
FILE_UPLOAD_TEMP_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'logs')
