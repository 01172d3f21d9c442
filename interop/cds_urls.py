"""`/cds-services/<id>` URLs: the CDS Hooks services (discovery is `/cds-services`, config.urls)."""

app_name = "cds"

urlpatterns: list = []
