"""Dependencies every route shares: the service, the caller's language, paging, and the acting
person. Routes declare `Actor`; how the person is authenticated (installation key plus the
person it names, or a person's session) is decided here, in one place."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Query, Request

from mahrem.services.app import Mahrem


def get_service(request: Request) -> Mahrem:
    """The service layer this app was built over."""
    service: Mahrem = request.app.state.service
    return service


def acting_person(x_acting_person: Annotated[str, Header(alias="x-acting-person",
                                                         description="Id of the person acting")]) -> str:
    return x_acting_person


def language(accept_language: Annotated[str, Header(alias="accept-language")] = "tr") -> str:
    """tr (default) or en, from Accept-Language."""
    return "en" if accept_language.lower().startswith("en") else "tr"


Svc = Annotated[Mahrem, Depends(get_service)]
Actor = Annotated[str, Depends(acting_person)]
Lang = Annotated[str, Depends(language)]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, description="Items to skip")]
