"""The member pickers' suggestions (JSON, buildingparty.autocomplete): members, and the accounts a record may be
linked to, each in the asking officer's scope."""

from buildingparty.autocomplete import search_response
from buildingparty.scope import role_required

from .. import access
from ..forms import ACCOUNT_SEARCH, MEMBER_SEARCH, account_label, member_label
from ..models import Member
from ..selectors import linkable_accounts


@role_required(*access.MANAGERS)
def member_search(request):
    members = Member.objects.for_user(request.user).select_related("organization")
    return search_response(members, request.GET.get("q"), MEMBER_SEARCH, member_label)


@role_required(*access.MANAGERS)
def account_search(request):
    accounts = linkable_accounts(request.user)
    return search_response(accounts, request.GET.get("q"), ACCOUNT_SEARCH, account_label, order=("name", "username"))
