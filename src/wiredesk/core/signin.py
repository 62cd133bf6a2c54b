"""Staff sign-in: a password, then a time-based one-time code (TOTP, django-otp) from a
device the staff member enrolled.

``WIREDESK_STAFF_2FA`` says who needs the code:

- ``optional`` (the default): whoever has enrolled a device; the others sign in with the
  password alone.
- ``required``: every staff member. One without a device cannot sign in until an
  administrator enrols one (``wiredesk otp add USER`` or the admin's TOTP devices).
- ``off``: nobody; devices are ignored.

A wrong code counts as a failed sign-in for django-axes (the same lockout as a wrong
password), and the device itself slows down each guess after a miss (django-otp's
throttling); a code is accepted once only. A session signed in before its user enrolled
a device is not enough for the admin: the user signs in again with a code.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, user_login_failed
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from wiredesk.errors import WiredeskError

MODES = ("off", "optional", "required")


class SigninError(WiredeskError):
    pass


def staff_2fa_mode() -> str:
    mode = str(getattr(settings, "WIREDESK_STAFF_2FA", "optional")).strip().lower()
    if mode not in MODES:
        raise SigninError(f"WIREDESK_STAFF_2FA must be one of {', '.join(MODES)}, "
                          f"not {mode!r}")
    return mode


def enrolled_devices(user) -> list:
    return list(devices_for_user(user, confirmed=True))


def code_needed(user) -> bool:
    """Whether this user must give a one-time code to reach the admin."""
    mode = staff_2fa_mode()
    if mode == "off":
        return False
    return mode == "required" or bool(enrolled_devices(user))


def passes_second_factor(request) -> bool:
    """The request's user has given a code this session, or needs none."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return True
    return not code_needed(user)


class StaffAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        required=False, max_length=16, label="Code from your authenticator app",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                      "inputmode": "numeric"}))

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_required": "Enter the six-digit code from your authenticator app.",
        "otp_invalid": "That code is not right (or was used already). Enter the current "
                       "code from your authenticator app.",
        "otp_throttled": "Too many wrong codes: wait a little before the next one.",
        "otp_not_enrolled": "This site requires a second factor for staff and none is "
                            "enrolled for this account. Ask an administrator to run "
                            "`wiredesk otp add %(username)s`.",
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or staff_2fa_mode() == "off":
            return cleaned
        devices = enrolled_devices(user)
        if not devices:
            if staff_2fa_mode() == "required":
                raise forms.ValidationError(self.error_messages["otp_not_enrolled"],
                                            code="otp_not_enrolled",
                                            params={"username": user.get_username()})
            return cleaned
        token = "".join((cleaned.get("otp_token") or "").split())
        if not token:
            raise forms.ValidationError(self.error_messages["otp_required"],
                                        code="otp_required")
        user.otp_device = self._verified_device(devices, token)
        if user.otp_device is None:
            # Counted by django-axes like a wrong password: the same lockout applies.
            user_login_failed.send(sender=type(self), request=self.request,
                                   credentials={"username": user.get_username()})
            allowed = any(d.verify_is_allowed()[0] for d in devices)
            code = "otp_invalid" if allowed else "otp_throttled"
            raise forms.ValidationError(self.error_messages[code], code=code)
        return cleaned

    @staticmethod
    def _verified_device(devices, token: str):
        for device in devices:
            with transaction.atomic():
                # Locked row: two requests cannot both use one code (django-otp keeps the
                # last accepted time step and refuses it and every earlier one).
                locked = type(device).objects.select_for_update().get(pk=device.pk)
                if locked.verify_is_allowed()[0] and locked.verify_token(token):
                    return locked
        return None


class StaffAdminSite(AdminSite):
    """The admin, with the second factor in its sign-in and in every permission check."""

    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"

    def has_permission(self, request):
        return super().has_permission(request) and passes_second_factor(request)

    def each_context(self, request):
        context = super().each_context(request)
        context["asks_for_code"] = staff_2fa_mode() != "off"
        return context


# --- enrolment (the `wiredesk otp` command) ---------------------------------------------

def _user(username: str):
    user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    if user is None:
        raise SigninError(f"no user named {username!r}")
    return user


def device_add(*, username: str, name: str = "authenticator") -> TOTPDevice:
    """A new, confirmed TOTP device for the user: show its ``config_url`` once, as the
    authenticator app's QR code or typed-in secret."""
    user = _user(username)
    if TOTPDevice.objects.filter(user=user, name=name).exists():
        raise SigninError(f"{username} already has a device named {name!r}; remove it "
                          "first or choose another --name")
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def device_remove(*, username: str, name: str | None = None) -> int:
    user = _user(username)
    devices = TOTPDevice.objects.filter(user=user)
    if name:
        devices = devices.filter(name=name)
    count, _ = devices.delete()
    if not count:
        raise SigninError(f"{username} has no such device")
    return count


def devices_list() -> list[TOTPDevice]:
    return list(TOTPDevice.objects.select_related("user").order_by("user_id", "name"))
