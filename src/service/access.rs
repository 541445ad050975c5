//! Who may do what (API.md §1 and §6), in one table that every door consults.
//!
//! A key resolves to a `Caller`. Each operation of the service names its `Action`;
//! `POLICY` gives the action's `Rule`, and `require` applies it. Reads of rows a user
//! key may not see are not refused here: the queries take the caller's `viewer()` and
//! show only the rows §6 grants (anything else is `404`, as if it did not exist).

use super::error::{Result, ServiceError};
use crate::db::instances::Instance;
use crate::db::keys::KeyOwner;
use crate::db::{self, AnyConnection, DbPool};
use crate::domain::{KeyRole, UserId};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    Account,
    InstanceAdmin,
    /// A user key acting as this user.
    User(UserId),
}

impl Caller {
    pub fn is_user(&self) -> bool {
        matches!(self, Self::User(_))
    }

    /// The user whose view limits reads, if any.
    pub fn viewer(&self) -> Option<UserId> {
        match self {
            Self::User(id) => Some(*id),
            _ => None,
        }
    }
}

/// The operations whose permission depends only on the kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    CreateInstance,
    ListInstances,
    ReadInstance,
    UpdateInstance,
    DeleteInstance,
    IssueKey,
    ListKeys,
    RevokeKey,
    CreateUsers,
    UpdateUser,
    DeleteUser,
    CreateGroups,
    UpdateGroup,
    DeleteGroup,
    CreateBarriers,
    ListBarriers,
    ReadBarrier,
    DeleteBarrier,
    CreateWebhook,
    ListWebhooks,
    /// One endpoint, or its delivery log.
    ReadWebhook,
    UpdateWebhook,
    DeleteWebhook,
    /// Reads of users, groups and memberships: every key, limited to what it may see.
    ReadDirectory,
    /// Membership writes: admins, and user keys that manage the group (checked per
    /// group by `memberships::managed_groups`), or the member itself for a delete.
    WriteMemberships,
    /// The change feed (§9): every key, a user key only the events of what it may read.
    ReadEvents,
}

/// What an action asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The account key only; any other key: `403`.
    Account,
    /// The account or an instance admin key; a user key: `403`.
    Admin,
    /// The account or an instance admin key; for a user key the objects do not exist
    /// (§6 grants it none): a list is empty, one object `404`.
    AdminElseHidden,
    /// Every key; a user key sees only what §6 grants.
    Visible,
    /// Every key; a user key only for groups it manages (decided with the data).
    Managers,
}

/// Every action's rule: the whole of §6's "who may do what" in one place.
pub const POLICY: &[(Action, Rule)] = &[
    (Action::CreateInstance, Rule::Account),
    (Action::ListInstances, Rule::Visible),
    (Action::ReadInstance, Rule::Visible),
    (Action::UpdateInstance, Rule::Account),
    (Action::DeleteInstance, Rule::Account),
    (Action::IssueKey, Rule::Admin),
    (Action::ListKeys, Rule::AdminElseHidden),
    (Action::RevokeKey, Rule::AdminElseHidden),
    (Action::CreateUsers, Rule::Admin),
    (Action::UpdateUser, Rule::Admin),
    (Action::DeleteUser, Rule::Admin),
    (Action::CreateGroups, Rule::Admin),
    (Action::UpdateGroup, Rule::Admin),
    (Action::DeleteGroup, Rule::Admin),
    (Action::CreateBarriers, Rule::Admin),
    (Action::ListBarriers, Rule::AdminElseHidden),
    (Action::ReadBarrier, Rule::AdminElseHidden),
    (Action::DeleteBarrier, Rule::AdminElseHidden),
    (Action::CreateWebhook, Rule::Admin),
    (Action::ListWebhooks, Rule::AdminElseHidden),
    (Action::ReadWebhook, Rule::AdminElseHidden),
    (Action::UpdateWebhook, Rule::AdminElseHidden),
    (Action::DeleteWebhook, Rule::AdminElseHidden),
    (Action::ReadDirectory, Rule::Visible),
    (Action::WriteMemberships, Rule::Managers),
    (Action::ReadEvents, Rule::Visible),
];

pub fn rule(action: Action) -> Rule {
    POLICY
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, r)| *r)
        .unwrap_or(Rule::Account)
}

/// How an action may go on for this caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Go on.
    Full,
    /// Go on, showing nothing: the caller may see none of these objects.
    Nothing,
}

/// Applies `action`'s rule to `caller`: `Err(Forbidden)` where it may not.
pub fn require(caller: Caller, action: Action) -> Result<Grant> {
    let message = match (rule(action), caller) {
        (_, Caller::Account) => return Ok(Grant::Full),
        (Rule::Account, _) => "only the account key may do this",
        (_, Caller::InstanceAdmin) => return Ok(Grant::Full),
        (Rule::Admin, Caller::User(_)) => "a user key may not do this",
        (Rule::AdminElseHidden, Caller::User(_)) => return Ok(Grant::Nothing),
        (Rule::Visible | Rule::Managers, Caller::User(_)) => return Ok(Grant::Full),
    };
    Err(ServiceError::forbidden(message))
}

/// A caller of an instance's routes, with its instance.
pub struct InstanceAccess {
    pub instance: Instance,
    pub caller: Caller,
    /// The instance key used (`None` for the account key).
    pub key_id: Option<crate::domain::KeyId>,
}

/// Resolves a key hash to its owner, or `None` for an unknown or revoked key, and for
/// the key of an inactive user (API.md §2: it answers as a revoked key until the user
/// is active again).
fn resolve(
    conn: &mut AnyConnection,
    account_hash: Option<&str>,
    hash: &str,
) -> Result<Option<KeyOwner>> {
    if account_hash == Some(hash) {
        return Ok(Some(KeyOwner::Account));
    }
    let found = db::keys::owner_of(conn, hash)?;
    Ok(found.and_then(|(owner, user_active)| user_active.then_some(owner)))
}

/// The owner of a key (`None`: unknown or revoked, `401`).
pub async fn key_owner(
    pool: &DbPool,
    account_hash: Option<String>,
    hash: String,
) -> Result<Option<KeyOwner>> {
    crate::service::read(pool, move |conn| {
        resolve(conn, account_hash.as_deref(), &hash)
    })
    .await
}

/// Why a key may not act on an instance.
pub enum Denied {
    /// No key, an unknown or a revoked key: `401`.
    Unauthenticated,
    /// No such instance, or another tenant's: `404`, exactly alike (§1).
    NotFound,
    Service(ServiceError),
}

/// The caller of instance `name`'s routes: its key is valid and belongs to the
/// instance (or is the account key). Anything else about another tenant answers as a
/// missing instance would.
pub async fn instance_caller(
    pool: &DbPool,
    account_hash: Option<String>,
    hash: String,
    name: String,
) -> std::result::Result<InstanceAccess, Denied> {
    let found = crate::service::read(pool, move |conn| {
        let Some(owner) = resolve(conn, account_hash.as_deref(), &hash)? else {
            return Ok(Err(Denied::Unauthenticated));
        };
        Ok(match owner {
            KeyOwner::Account => {
                // No instance name holds a NUL, which PostgreSQL would refuse.
                if name.contains('\0') {
                    return Ok(Err(Denied::NotFound));
                }
                match db::instances::find_by_name(conn, &name)? {
                    Some(instance) => Ok(InstanceAccess {
                        instance,
                        caller: Caller::Account,
                        key_id: None,
                    }),
                    None => Err(Denied::NotFound),
                }
            }
            KeyOwner::Instance {
                instance,
                key_id,
                role,
                user_id,
            } => {
                let key_id = Some(key_id);
                if instance.name != name {
                    return Ok(Err(Denied::NotFound));
                }
                match (role, user_id) {
                    (KeyRole::Admin, _) => Ok(InstanceAccess {
                        instance,
                        caller: Caller::InstanceAdmin,
                        key_id,
                    }),
                    (KeyRole::User, Some(user)) => Ok(InstanceAccess {
                        instance,
                        caller: Caller::User(user),
                        key_id,
                    }),
                    (KeyRole::User, None) => Err(Denied::Unauthenticated),
                }
            }
        })
    })
    .await;
    match found {
        Ok(answer) => answer,
        Err(e) => Err(Denied::Service(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIONS: [Action; 26] = [
        Action::CreateInstance,
        Action::ListInstances,
        Action::ReadInstance,
        Action::UpdateInstance,
        Action::DeleteInstance,
        Action::IssueKey,
        Action::ListKeys,
        Action::RevokeKey,
        Action::CreateUsers,
        Action::UpdateUser,
        Action::DeleteUser,
        Action::CreateGroups,
        Action::UpdateGroup,
        Action::DeleteGroup,
        Action::CreateBarriers,
        Action::ListBarriers,
        Action::ReadBarrier,
        Action::DeleteBarrier,
        Action::CreateWebhook,
        Action::ListWebhooks,
        Action::ReadWebhook,
        Action::UpdateWebhook,
        Action::DeleteWebhook,
        Action::ReadDirectory,
        Action::WriteMemberships,
        Action::ReadEvents,
    ];

    #[test]
    fn every_action_has_exactly_one_rule() {
        for a in ACTIONS {
            assert_eq!(
                POLICY.iter().filter(|(x, _)| *x == a).count(),
                1,
                "{a:?} needs exactly one row in POLICY"
            );
        }
        assert_eq!(POLICY.len(), ACTIONS.len());
    }

    #[test]
    fn rules_by_caller() {
        let user = Caller::User(UserId(7));
        assert_eq!(
            require(Caller::Account, Action::CreateInstance).ok(),
            Some(Grant::Full)
        );
        assert!(require(Caller::InstanceAdmin, Action::CreateInstance).is_err());
        assert!(require(user, Action::CreateUsers).is_err());
        assert_eq!(
            require(user, Action::ReadBarrier).ok(),
            Some(Grant::Nothing)
        );
        assert_eq!(
            require(Caller::InstanceAdmin, Action::ReadBarrier).ok(),
            Some(Grant::Full)
        );
        assert_eq!(require(user, Action::ReadDirectory).ok(), Some(Grant::Full));
    }
}
