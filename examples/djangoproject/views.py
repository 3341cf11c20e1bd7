"""Views of each kind whose methods ``auto_options`` reports in ``Allow``."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View
from django.views.decorators.http import require_http_methods, require_safe


class ItemView(View):
    """Allow: DELETE, GET, HEAD, OPTIONS, PUT (the handlers it defines, HEAD with GET)."""

    def get(self, request: HttpRequest, item_id: int) -> JsonResponse:
        return JsonResponse({"id": item_id})

    def put(self, request: HttpRequest, item_id: int) -> JsonResponse:
        return JsonResponse({"id": item_id, "updated": True})

    def delete(self, request: HttpRequest, item_id: int) -> HttpResponse:
        return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
def items(request: HttpRequest) -> JsonResponse:
    """Allow: GET, OPTIONS, POST (from the decorator)."""
    return JsonResponse({"items": [1]})


@require_safe
def status(request: HttpRequest) -> JsonResponse:
    """Allow: GET, HEAD, OPTIONS."""
    return JsonResponse({"status": "ok"})


def echo(request: HttpRequest) -> JsonResponse:
    """Accepts any method, so Allow lists WSGICORS["allow_methods"]."""
    return JsonResponse({"method": request.method})
