"""An Atom feed of the labelled projects' campaigns as they go live, for those who follow the
label (journalists, partners, contributors) without visiting the site."""

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from propulsons import typography

from .models import Campaign

FEED_LENGTH = 30


class LaunchedCampaignsFeed(Feed):
    feed_type = Atom1Feed
    title = _("Propulsons! — les campagnes labellisées qui démarrent")
    subtitle = _(
        "Chaque campagne de financement participatif d'un projet labellisé Propulsons! "
        "(Pas-de-Calais), dès sa mise en ligne."
    )
    link = reverse_lazy("campaigns:catalogue")

    def items(self):
        # Only projects whose porteur agreed to be shown in public, as in the catalogue.
        return (
            Campaign.objects.launched()
            .filter(project__publish_agreed=True)
            .exclude(project__label_number="")
            .select_related("project__commune", "platform")
            .order_by("-launched_on", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, campaign: Campaign) -> str:
        return gettext("%(title)s, sur %(platform)s") % {
            "title": campaign.project.title,
            "platform": campaign.platform.name,
        }

    def item_description(self, campaign: Campaign) -> str:
        parts = [campaign.project.summary, campaign.project.commune.name]
        if campaign.goal:
            parts.append(
                gettext("Objectif\u00a0: %(goal)s") % {"goal": typography.euros(campaign.goal)}
            )
        if campaign.ends_on:
            parts.append(gettext("jusqu'au %(date)s") % {"date": typography.day(campaign.ends_on)})
        return " — ".join(parts)

    def item_link(self, campaign: Campaign) -> str:
        return reverse("campaigns:project_page", args=[campaign.project.slug])

    def item_guid(self, campaign: Campaign) -> str:
        # A project may run a second campaign: each launch is its own entry.
        return f"propulsons:campagne:{campaign.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, campaign: Campaign) -> datetime.datetime:
        midnight = datetime.datetime.combine(campaign.launched_on, datetime.time())
        return timezone.make_aware(midnight)

    def item_updateddate(self, campaign: Campaign) -> datetime.datetime:
        return self.item_pubdate(campaign)
