from django.urls import path

from . import views

urlpatterns = [
    path("api/items/", views.items),
    path("api/items/<int:item_id>", views.ItemView.as_view()),
    path("api/status", views.status),
    path("api/echo", views.echo),
]
