"""The rules of the tally: quorum, majority, the four criteria, abstentions, conflicts."""

import pytest

from labelling import selectors, services
from labelling.models import Outcome
from tests.labelling.conftest import ALL_MET
from tests.labelling.factories import LabellingRequestFactory

pytestmark = pytest.mark.django_db


def cast(request, members, votes):
    """votes: list of (slug, overall, conflict, assessments-or-None)."""
    for slug, overall, conflict, assessments in votes:
        services.vote_cast(
            request=request,
            member=members[slug],
            overall=overall,
            conflict_of_interest=conflict,
            assessments=assessments or ALL_MET,
        )


SLUGS = [
    "conseil-departemental-62",
    "initiative-pas-de-calais",
    "pas-de-calais-actif",
    "cigales",
    "caisse-solidaire",
    "autonomie-et-solidarite",
]


def test_four_favorable_votes_with_every_criterion_met_propose_the_label(members):
    request = LabellingRequestFactory()
    cast(request, members, [(slug, "favorable", False, None) for slug in SLUGS[:4]])
    tally = selectors.tally(request)
    assert (tally.favorable, tally.counted, tally.quorum_reached) == (4, 4, True)
    assert tally.proposed_outcome == Outcome.LABELLED


def test_below_the_quorum_the_outcome_is_postponed(members):
    request = LabellingRequestFactory()
    cast(request, members, [(slug, "favorable", False, None) for slug in SLUGS[:3]])
    tally = selectors.tally(request)
    assert not tally.quorum_reached
    assert tally.proposed_outcome == Outcome.POSTPONED
    assert "Quorum non atteint" in str(tally.explanation)


def test_abstentions_count_for_the_quorum_but_not_in_the_majority(members):
    request = LabellingRequestFactory()
    cast(
        request,
        members,
        [
            (SLUGS[0], "favorable", False, None),
            (SLUGS[1], "abstention", False, None),
            (SLUGS[2], "abstention", False, None),
            (SLUGS[3], "abstention", False, None),
        ],
    )
    tally = selectors.tally(request)
    assert tally.quorum_reached
    assert tally.majority_favorable  # 1 favorable against 0 unfavorable
    assert tally.proposed_outcome == Outcome.LABELLED


def test_a_tie_is_not_a_majority(members):
    request = LabellingRequestFactory()
    cast(
        request,
        members,
        [(s, "favorable", False, None) for s in SLUGS[:2]]
        + [(s, "unfavorable", False, None) for s in SLUGS[2:4]],
    )
    assert selectors.tally(request).proposed_outcome == Outcome.NOT_LABELLED


def test_a_criterion_not_met_by_the_majority_refuses_the_label(members):
    request = LabellingRequestFactory()
    not_viable = {**ALL_MET, "viable": (False, "Modèle fragile")}
    cast(
        request,
        members,
        [
            (SLUGS[0], "favorable", False, not_viable),
            (SLUGS[1], "favorable", False, not_viable),
            (SLUGS[2], "favorable", False, None),
            (SLUGS[3], "favorable", False, not_viable),
        ],
    )
    tally = selectors.tally(request)
    viable = tally.criteria[0]
    assert (viable.criterion.code, viable.met, viable.not_met) == ("viable", 1, 3)
    assert tally.majority_favorable and not tally.criteria_met
    assert tally.proposed_outcome == Outcome.NOT_LABELLED
    assert "économiquement viable" in str(tally.explanation)


def test_the_criteria_rule_is_a_setting(members, settings):
    settings.LABEL_REQUIRE_CRITERIA_MAJORITY = False
    request = LabellingRequestFactory()
    not_viable = {**ALL_MET, "viable": (False, "")}
    cast(request, members, [(s, "favorable", False, not_viable) for s in SLUGS[:4]])
    assert selectors.tally(request).proposed_outcome == Outcome.LABELLED


def test_the_quorum_is_a_setting(members, settings):
    settings.LABEL_QUORUM = 2
    request = LabellingRequestFactory()
    cast(request, members, [(s, "favorable", False, None) for s in SLUGS[:2]])
    assert selectors.tally(request).proposed_outcome == Outcome.LABELLED


def test_a_conflicted_vote_is_recorded_but_not_counted(members):
    request = LabellingRequestFactory()
    cast(
        request,
        members,
        [(s, "favorable", False, None) for s in SLUGS[:3]]
        + [(SLUGS[3], "unfavorable", True, {**ALL_MET, "viable": (False, "")})],
    )
    tally = selectors.tally(request)
    assert (tally.counted, tally.conflicts) == (3, 1)
    assert not tally.quorum_reached  # the conflicted vote does not make the quorum
    assert tally.criteria[0].not_met == 0  # nor does it weigh on the criteria


def test_tallies_of_many_requests_take_two_queries(members, django_assert_num_queries):
    requests = [LabellingRequestFactory() for _ in range(5)]
    for request in requests:
        cast(request, members, [(s, "favorable", False, None) for s in SLUGS[:4]])
    with django_assert_num_queries(2):  # the criteria, the votes with their assessments
        result = selectors.tallies(requests)
    assert all(t.proposed_outcome == Outcome.LABELLED for t in result.values())
