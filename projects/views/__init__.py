"""The projects app's pages, one module per audience.

- public: the intake form anyone may fill in, and its confirmation;
- porteur: the porteur's space, a dossier's page, editing it, claiming it, its documents
  (editing and downloads also serve the team and the committee, by permission);
- team: the pipeline, a dossier's team page and its transitions;
- privacy: personal data (the porteur's export and erasure request, the team's processing
  and anonymisation).
"""
