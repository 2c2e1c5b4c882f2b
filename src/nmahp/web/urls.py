from django.contrib import admin
from django.urls import path

from .surveys import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("index.json", views.landing, {"as_json": True}, name="landing-json"),
    path("admin/", admin.site.urls),
]
