"""What FHIR's conditional interactions look for (issue 17): the records an installation itself
sent of one type, matched against a search (If-None-Exist), and the record an installation's
update names, by Mahrem's id or by its own. Nothing here looks beyond the caller's own
namespace, so a condition never tells one hospital what another holds."""

from __future__ import annotations

from typing import Any

from mahrem.domain.fhir_search import Search
from mahrem.services.ports import Mahrem
from mahrem.services.records.naming import linked_record
from mahrem.services.records.reading import last_updated
from mahrem.services.records.resources import current_resource


def own_matches(m: Mahrem, installation: str, search: Search) -> list[dict[str, Any]]:
    """The current resources of the records this installation sent that match `search`."""
    found = []
    with m.uow.read() as store:
        for link in store.rows(
            "record_link", installation=installation, resource_type=search.resource_type
        ):
            resource = current_resource(store, m.keys, link["record"])
            if resource is None:
                continue
            if search.matches(resource, last_updated(resource, link["linked_at"])):
                found.append(resource)
    return found


def own_record(
    m: Mahrem, installation: str, resource_type: str, given: str
) -> tuple[str, str, dict[str, Any] | None] | None:
    """(Mahrem's id, the installation's own id, current resource) of the record an update
    names — by the installation's own id, or by the Mahrem id of a record it sent — or None."""
    with m.uow.read() as store:
        rid = linked_record(store, installation, resource_type, given)
        if rid is not None:
            return rid, given, current_resource(store, m.keys, rid)
        links = store.rows("record_link", installation=installation, record=given)
        if links and links[0]["resource_type"] == resource_type:
            return given, str(links[0]["local_id"]), current_resource(store, m.keys, given)
    return None
