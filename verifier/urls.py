from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from claims import api
from claims.views import common

urlpatterns = [
    path("healthz", common.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("claims.urls")),
]

handler400 = "claims.views.common.bad_request"
handler403 = "claims.views.common.permission_denied"
