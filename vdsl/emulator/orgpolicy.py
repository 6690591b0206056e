"""Organization policies, as Vertex enforces them: so code can be tested against the refusals
a locked-down project gives.

Two constraints are modelled. `constraints/gcp.restrictEndpointUsage` denying the global
endpoint refuses every request that arrives for `locations/global` (or express mode) with a
403; `constraints/gcp.resourceLocations` refuses to create a resource (a cached content) outside
the allowed locations with a 400 FAILED_PRECONDITION. The 400's shape follows real org-policy
bodies (a `PreconditionFailure` with one violation); the 403's wording is a best guess
modelled on Google's other "disallowed by organization's … constraint" messages.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from . import errors
from .reply import Reply

__all__ = ["ENDPOINT_CONSTRAINT", "LOCATION_CONSTRAINT", "OrgPolicy"]

ENDPOINT_CONSTRAINT = "constraints/gcp.restrictEndpointUsage"
LOCATION_CONSTRAINT = "constraints/gcp.resourceLocations"
_POLICY_DOC = ("See https://cloud.google.com/resource-manager/docs/organization-policy/"
               "org-policy-constraints for more information.")


@dataclass(frozen=True)
class OrgPolicy:
    """The emulated project's organization policy (nothing restricted by default)."""

    deny_global: bool = False
    """restrictEndpointUsage denies aiplatform.googleapis.com (the global endpoint)."""
    allowed_locations: tuple[str, ...] | None = None
    """resourceLocations: where resources may be created (globs like `europe-*` allowed)."""

    def endpoint_refusal(self, project: str | None, location: str | None) -> Reply | None:
        """The 403 for a request to a denied endpoint, else None."""
        if not self.deny_global or location not in (None, "global"):
            return None
        subject = f"projects/{project or 'unknown'}"
        message = (f"Request is disallowed by organization's {ENDPOINT_CONSTRAINT} constraint "
                   f"for '{subject}' attempting to use service 'aiplatform.googleapis.com' "
                   "through the global endpoint.")
        return errors.google_error(403, message, details=[_violation(
            ENDPOINT_CONSTRAINT, subject, message)])

    def location_refusal(self, project: str, location: str, action: str) -> Reply | None:
        """The 400 for creating a resource where resourceLocations forbids it, else None."""
        allowed = self.allowed_locations
        if allowed is None or any(fnmatch.fnmatchcase(location, p) for p in allowed):
            return None
        subject = f"projects/{project}"
        description = (f"Constraint {LOCATION_CONSTRAINT} violated for {subject} attempting "
                       f"{action} with location set to {location}. {_POLICY_DOC}")
        return errors.google_error(
            400, "The request has violated one or more Org Policies. Please refer to the "
                 "respective violations for more information.", status="FAILED_PRECONDITION",
            details=[_violation(LOCATION_CONSTRAINT, f"orgpolicy:{subject}", description)])


def _violation(constraint: str, subject: str, description: str) -> dict[str, object]:
    return {"@type": "type.googleapis.com/google.rpc.PreconditionFailure",
            "violations": [{"type": constraint, "subject": subject,
                            "description": description}]}
