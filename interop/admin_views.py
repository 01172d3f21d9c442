"""The admin's API clients page: list, create (the token shown once, on the page that answers
the POST, never stored or put in a URL) and revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_variables

from audit.requests import actor_for
from interop import services
from interop.forms import ApiClientForm
from interop.models import ApiClient

PERMISSION = "interop.manage_apiclient"


@permission_required(PERMISSION, raise_exception=True)
@sensitive_variables("created")
def clients(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST or None)
    if form.is_valid():
        created = services.create_api_client(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            actor=actor_for(request),
        )
        context = {"client": created.client, "token": created.token, "nav": "api_clients"}
        return render(request, "interop/client_created.html", context)
    listed = ApiClient.objects.select_related("created_by", "revoked_by")
    context = {"clients": listed, "form": form, "nav": "api_clients"}
    return render(request, "interop/clients.html", context)


@permission_required(PERMISSION, raise_exception=True)
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then refuse the client's token from the next call on."""
    client = ApiClient.objects.filter(pk=pk).first()
    if client is None:
        raise Http404("no such API client")
    if request.method == "POST":
        services.revoke_api_client(client_id=client.pk, actor=actor_for(request))
        messages.success(request, f"{client.name}'s token is revoked; its calls now get 401.")
        return redirect("interop:clients")
    return render(request, "interop/client_revoke.html", {"client": client, "nav": "api_clients"})
