"""`/cds-services/<id>` URLs: the CDS Hooks services (discovery is `/cds-services`, config.urls)."""

from django.urls import path

from interop import cds

app_name = "cds"

urlpatterns = [path("<str:service_id>", cds.service, name="service")]
