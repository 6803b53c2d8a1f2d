"""Login, logout and permission views of the test project."""

from __future__ import annotations

from django.urls import path

from tests.integrations.djangoproject import views

urlpatterns = [
    path("login", views.login_view),
    path("logout", views.logout_view),
    path("perm/<str:perm>", views.perm_view),
    path("context", views.context_view),
]
