import hashlib

from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


def page(request):
    return HttpResponse('<html><body><h1>Django page</h1><p>%s</p></body></html>'
                        % request.get_full_path(), content_type='text/html')


@csrf_exempt
def form(request):
    if request.method == 'POST':
        return JsonResponse({'name': request.POST.get('name'),
                             'color': request.POST.getlist('color'),
                             'script_name': request.META.get('SCRIPT_NAME'),
                             'path': request.path, 'path_info': request.path_info})
    return HttpResponse('<form method="post"><input name="name"></form>')


@csrf_exempt
def upload(request):
    f = request.FILES['file']
    data = f.read()
    return JsonResponse({'filename': f.name, 'size': len(data),
                         'md5': hashlib.md5(data).hexdigest(),
                         'content_type': f.content_type, 'note': request.POST.get('note')})


urlpatterns = [
    path('', page),
    path('form', form),
    path('upload', upload),
]
