# A minimal Django project (Debian's python3-django), settings in djangosite/.
import os
import sys

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
os.environ['DJANGO_SETTINGS_MODULE'] = 'djangosite.settings'

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
