"""The labelling app's pages, one module per audience.

- committee: what committee members (and the team) read and do: sessions, minutes, a
  request's review page with its vote, the decision (the session's chair or the team);
- team: the cheffe's management: creating sessions and their agenda, her opinion, closing a
  vote, correcting a decision;
- porteur: asking for the label (from the porteur's space, or by the cheffe).
"""
