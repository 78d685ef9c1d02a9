from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.forms import EmailAuthenticationForm
from accounts.landing import home_for
from accounts.permissions import can_use_admin
from accounts.services import user_mark_email_verified
from propulsons.http import posted_text


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # A safe ?next= wins (checked by Django); otherwise each role lands where its work is.
        return home_for(self.request.user)


@require_safe
@login_required
def account_home(request):
    return render(request, "accounts/home.html", {"account": request.user})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    # The link proves the address: its owner is logged in once the password is chosen.
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def form_valid(self, form):
        # Whoever proves they own the address may log in again at once.
        axes_reset(username=form.user.email)
        user_mark_email_verified(user=form.user)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    def get_context_data(self, **kwargs):
        # Logged in by the link: the button goes where this role's work is.
        return super().get_context_data(**kwargs, landing_url=home_for(self.request.user))


@require_http_methods(["GET", "POST"])
@login_required
def lockouts(request):
    """The team unlocks an account blocked by too many failed logins."""
    if not can_use_admin(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if "ip_address" in request.POST:
            address = posted_text(request, "ip_address")
            axes_reset(ip=address)
            messages.success(
                request, _("L'adresse IP %(address)s est débloquée.") % {"address": address}
            )
        else:
            username = posted_text(request, "username")
            axes_reset(username=username)
            messages.success(request, _("Le compte %(email)s est débloqué.") % {"email": username})
        return redirect("accounts:lockouts")
    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    # Addresses locked out for failures spread over many accounts (accounts.throttling).
    addresses = (
        AccessAttempt.objects.values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_IP_FAILURE_LIMIT)
        .order_by("-last_attempt")
    )
    return render(
        request,
        "accounts/lockouts.html",
        {"attempts": locked.order_by("-attempt_time"), "addresses": addresses},
    )
