"""moto_server with the suite's patches for what moto leaves out (the product is not changed for moto).

moto's AWS::IAM::ManagedPolicy has no CloudFormation update or delete: a stack update that changes
a managed policy's Roles attaches and detaches nothing, and a removed policy stays. IAM deletes a
role only once no managed policy is attached to it, so a stack update removing a role (the service
role of earlier versions: src/ops/service-role-move.ts) could never succeed. Here a policy's Roles,
Users and Groups are attached and detached as CloudFormation does, and a removed policy is detached
and deleted. Started by test/support/global-setup.ts with the arguments of moto_server.
"""
import sys

from moto.iam.models import ManagedPolicy, iam_backends
from moto.server import main
from moto.utilities.utils import get_partition


def _attachments(backend, arn):
    return {
        "Roles": {r.name for r in backend.roles.values() if arn in r.managed_policies},
        "Users": {u.name for u in backend.users.values() if arn in u.managed_policies},
        "Groups": {g.name for g in backend.groups.values() if arn in g.managed_policies},
    }


_ATTACH = {"Roles": ("attach_role_policy", "detach_role_policy", "role_name"), "Users": ("attach_user_policy", "detach_user_policy", "user_name"), "Groups": ("attach_group_policy", "detach_group_policy", "group_name")}


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    backend = iam_backends[account_id][get_partition(region_name)]
    props = cloudformation_json.get("Properties", {})
    have = _attachments(backend, original_resource.arn)
    for kind, (attach, detach, arg) in _ATTACH.items():
        want = set(props.get(kind, []))
        for name in sorted(have[kind] - want):
            getattr(backend, detach)(policy_arn=original_resource.arn, **{arg: name})
        for name in sorted(want - have[kind]):
            # moto updates changed resources before it creates added ones: a role the same
            # update adds does not exist yet and gets nothing (moto evaluates no IAM anyway)
            if kind == "Roles" and name not in {r.name for r in backend.roles.values()}:
                continue
            getattr(backend, attach)(policy_arn=original_resource.arn, **{arg: name})
    return original_resource


def _delete(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = iam_backends[account_id][get_partition(region_name)]
    arn = resource_name  # a managed policy's physical id is its ARN
    if arn not in backend.managed_policies:
        return
    for kind, (_, detach, arg) in _ATTACH.items():
        for name in sorted(_attachments(backend, arn)[kind]):
            getattr(backend, detach)(policy_arn=arn, **{arg: name})
    backend.delete_policy(arn)


ManagedPolicy.update_from_cloudformation_json = classmethod(_update)
ManagedPolicy.delete_from_cloudformation_json = classmethod(_delete)

if __name__ == "__main__":
    main(sys.argv[1:])
