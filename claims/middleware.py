"""Site-wide response rules: private caching for signed-in pages, and the sign-in limit per address."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control

from claims.ratelimit import client_ip_address, rate_limit_blocked, rate_limit_hit


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on everything a signed-in user gets (pages, fragments,
    exports): no shared cache or browser history keeps claims, notes or decisions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class SignInThrottleMiddleware:
    """Refuse sign-in POSTs (the site's and the admin's) from an address with too many recent failures,
    whatever usernames they tried: 429 with Retry-After, before any password is checked."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None

    def __call__(self, request):
        if self._paths is None:
            self._paths = {reverse("login"), reverse("admin:login")}
        if request.method == "POST" and request.path in self._paths:
            wait = rate_limit_blocked("login_ip", client_ip_address(request))
            if wait is not None:
                response = render(request, "registration/throttled.html", {"retry_after": wait}, status=429)
                response["Retry-After"] = str(wait)
                return response
        return self.get_response(request)


@receiver(user_login_failed, dispatch_uid="claims_count_sign_in_failures_per_address")
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        rate_limit_hit("login_ip", client_ip_address(request))
