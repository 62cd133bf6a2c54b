from django import forms
from django.contrib import admin, messages

from wiredesk.syndication.models import Attempt, Delivery, Partner, PendingTopic, Subscription
from wiredesk.syndication.services import (
    PartnerError,
    check_url,
    deliveries_resend,
    partner_rotate_secret,
)


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = ["name", "edition", "format", "url", "secret", "active", "timeout",
                  "created_at"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            self.instance.transport = check_url(url)
        except PartnerError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Partners; a new one added here is pushed what changes from its next run on."""

    form = PartnerForm
    list_display = ["name", "active", "format", "transport", "edition", "url", "last_acked_at",
                    "last_error_at", "last_error"]
    list_filter = ["active", "format", "transport", "edition"]
    search_fields = ["name", "url"]
    readonly_fields = ["transport", "previous_secret_until", "created_at", "last_acked_at",
                       "last_error", "last_error_at"]
    actions = ["rotate_secret"]

    def save_model(self, request, obj, form, change):
        if not change:
            # From now on, like `wiredesk partner add`: its back catalogue is in the API.
            from wiredesk.publishing import changes

            head, state = changes.head(), changes.log_state()
            obj.cursor_txid, obj.cursor_id = head.txid, head.id
            obj.cursor_epoch, obj.cursor_prunes = state.epoch, state.prunes
        super().save_model(request, obj, form, change)

    @admin.action(description="Rotate the signing secret (the old one signs too for a while)")
    def rotate_secret(self, request, queryset):
        for partner in queryset:
            partner_rotate_secret(partner=partner)
        self.message_user(request, f"{queryset.count()} secret(s) rotated: see each partner's "
                                   "page for the new one", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "at", "acked", "status_code", "duration_ms", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The deliveries and their ledger; dead letters under state "dead letter", resendable."""

    list_display = ["key", "partner", "state", "action", "priority", "attempts",
                    "next_attempt_at", "last_status", "acked_at", "last_error"]
    list_filter = ["state", "partner", "action"]
    search_fields = ["key", "last_error"]
    list_select_related = ["partner"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.action(description="Send again (dead letters and finished deliveries)")
    def resend(self, request, queryset):
        count = deliveries_resend(deliveries=queryset)
        self.message_user(request, f"{count} delivery(ies) will be sent again", messages.SUCCESS)

    def has_add_permission(self, request):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    """The ledger: every attempt of every delivery, as it went."""

    list_display = ["delivery", "partner", "number", "at", "acked", "status_code",
                    "duration_ms", "error"]
    list_filter = ["acked", "partner"]
    search_fields = ["delivery__key", "error"]
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["callback", "topic", "state", "expires_at", "last_delivered_at",
                    "last_error"]
    list_filter = ["state"]
    search_fields = ["callback", "topic"]
    readonly_fields = ["verified_at", "last_delivered_at", "last_error", "created_at"]


@admin.register(PendingTopic)
class PendingTopicAdmin(admin.ModelAdmin):
    """Feeds whose WebSub hub (or our own hub's subscribers) is still to hear of a change."""

    list_display = ["topic", "since", "attempts", "last_error"]
    readonly_fields = ["topic", "since", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
