"""The campaigns app's pages, one module per audience.

- public: the catalogue, a project's page, the map and the key figures;
- opendata: the labelled projects as open data (page, CSV, JSON);
- report: the funder's report and its exports (team);
- team: managing a dossier's campaign, reviewing declared figures, the map position;
- porteur: the porteur's publication consent and figures declarations (also used by the team).

What other apps need from campaigns is in campaigns.selectors or campaigns.services.
"""
