from django.contrib import admin, messages

from wiredesk.api.models import ApiKey
from wiredesk.api.services import _hash, apikey_create


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "can_write", "requests_per_minute", "revoked",
                    "created_at", "last_used_at")
    list_filter = ("can_write", "revoked")
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    filter_horizontal = ("agencies",)
    fields = ("name", "can_write", "agencies", "requests_per_minute", "revoked", "prefix",
              "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new key is generated here and shown once; only its hash is stored.
        key, raw = apikey_create(name=obj.name, can_write=obj.can_write,
                                 requests_per_minute=obj.requests_per_minute)
        obj.pk, obj.prefix, obj.key_hash = key.pk, key.prefix, _hash(raw)
        obj.created_at = key.created_at
        obj._state.db, obj._state.adding = key._state.db, False  # saved, as ``key``
        # save_related() then sets the agencies chosen in the form on this key.
        messages.warning(request, f"API key for {key.name}: {raw} — copy it now, "
                                  "it is not shown again.")
