from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Email, EmailStatus


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """The outbox, read-only: rows are written by the services that cause them."""

    list_display = ["subject", "recipients_display", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "name"]
    search_fields = ["subject", "recipients"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("destinataires"))
    def recipients_display(self, obj: Email) -> str:
        return obj.recipients_display

    @admin.action(description=_("Renvoyer les e-mails en échec sélectionnés"))
    def resend(self, request, queryset):
        resent = 0
        for email in queryset.filter(status=EmailStatus.FAILED):
            try:
                services.email_resend(email=email, actor=request.user)
                resent += 1
            except services.OutboxError:
                continue
        self.message_user(
            request, _("%(n)s e-mail(s) de nouveau à envoyer.") % {"n": resent}, messages.SUCCESS
        )
