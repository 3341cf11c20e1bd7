from django.http import HttpRequest, JsonResponse
from django.urls import path


def hello(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"message": "Hello, cross-origin world!"})


urlpatterns = [path("api/hello", hello)]
