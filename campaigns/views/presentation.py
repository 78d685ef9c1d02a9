"""A project's public presentation: its cover, video and news, edited by its porteur or the
team; and the cover's variants, served to everyone once the project is published."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.submitted_forms import submit_once
from projects.models import Project
from projects.permissions import can_manage_projects
from projects.uploads import UploadRejected

from .. import covers, selectors, services
from ..models import Presentation, ProjectNews
from ..permissions import can_edit_presentation
from ..presentation_forms import NewsForm, PresentationForm
from ._common import project_for


def _editable(request, reference: str) -> Project:
    project = project_for(reference)
    if not can_edit_presentation(request.user, project):
        raise Http404
    return project


def _page_url(request, project: Project) -> str:
    name = (
        "campaigns:team_presentation"
        if can_manage_projects(request.user)
        else "campaigns:presentation"
    )
    return reverse(name, args=[project.reference])


@login_required
def presentation_edit(request, reference: str):
    project = _editable(request, reference)
    presentation = Presentation.objects.filter(project=project).first()
    form = PresentationForm(presentation=presentation)
    news_form = NewsForm()
    if request.method == "POST" and request.POST.get("form") == "news":
        news_form = NewsForm(request.POST)
        if news_form.is_valid():

            def add() -> str:
                services.news_add(project=project, actor=request.user, **news_form.cleaned_data)
                messages.success(request, _("La nouvelle est publiée."))
                return _page_url(request, project) + "#nouvelles"

            return submit_once(request, add, fallback=_page_url(request, project))
    elif request.method == "POST":
        form = PresentationForm(request.POST, request.FILES, presentation=presentation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.presentation_update(
                    project=project,
                    actor=request.user,
                    cover=data["cover"] or None,
                    cover_alt=data["cover_alt"].strip(),
                    video_url=data["video_url"],
                    remove_cover=data.get("remove_cover", False),
                )
            except UploadRejected as error:
                form.add_error("cover", str(error))
            else:
                messages.success(request, _("La présentation du projet est enregistrée."))
                return redirect(_page_url(request, project))
    back = (
        reverse("projects:team_project", args=[project.reference])
        if can_manage_projects(request.user)
        else project.get_absolute_url()
    )
    return render(
        request,
        "campaigns/presentation_edit.html",
        {
            "project": project,
            "form": form,
            "news_form": news_form,
            "news": ProjectNews.objects.filter(project=project),
            "cover": covers.cover_context(project.slug, presentation) if project.slug else None,
            "back": back,
            "is_public": selectors.public_projects().filter(pk=project.pk).exists(),
        },
    )


@require_POST
@login_required
def news_delete(request, reference: str, pk: int):
    project = _editable(request, reference)
    news = get_object_or_404(ProjectNews, pk=pk, project=project)
    services.news_delete(news=news, actor=request.user)
    messages.success(request, _("La nouvelle est supprimée."))
    return redirect(_page_url(request, project) + "#nouvelles")


@require_safe
def cover(request, slug: str, name: str):
    """A variant of the cover: public once the project is published; before, to its porteur
    and the team only (their preview)."""
    project = get_object_or_404(Project.objects.select_related("presentation"), slug=slug)
    presentation = getattr(project, "presentation", None)
    if presentation is None or not presentation.has_cover:
        raise Http404
    published = selectors.public_projects().filter(pk=project.pk).exists()
    if not published and not can_edit_presentation(request.user, project):
        raise Http404
    names = {
        Path(covers.variant_name(presentation.cover_stem, width)).name: (
            covers.variant_path(presentation.cover_stem, width),
            "image/webp",
        )
        for width in presentation.cover_widths
    }
    social = covers.social_name(presentation.cover_stem)
    names[Path(social).name] = (covers.root() / social, "image/jpeg")
    if name not in names:
        raise Http404
    path, content_type = names[name]
    if not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    # A variant's name changes with each upload: its content never does.
    response["Cache-Control"] = (
        "public, max-age=31536000, immutable" if published else "private, no-store"
    )
    return response
