//! The command line: serve, migrate, and key and instance administration.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::{generate_key, hash_key, key_prefix};
use crate::config::Settings;
use crate::db::{self, keys::NewApiKey, now};
use crate::domain::{InstanceName, KeyRole};
use crate::startup;

#[derive(Parser)]
#[command(
    name = "roster",
    version,
    about = "Roster: users, groups and memberships for many tenants"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage instances (tenants).
    Instance {
        #[command(subcommand)]
        action: InstanceAction,
    },
    /// Manage instance API keys.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
}

#[derive(Subcommand)]
enum InstanceAction {
    /// Create an instance and print an admin key for it.
    Create {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
    },
}

#[derive(Subcommand)]
enum KeyAction {
    /// Issue a key and print it (shown once).
    Create {
        #[arg(long)]
        instance: String,
        #[arg(long, default_value = "admin", value_parser = ["admin", "user"])]
        role: String,
        /// The user a `user` key acts as.
        #[arg(long)]
        user: Option<i64>,
        #[arg(long)]
        description: Option<String>,
    },
    /// Revoke a key by its ID.
    Revoke {
        #[arg(long)]
        instance: String,
        id: i64,
    },
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    crate::telemetry::init(&settings.log, settings.log_json);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => {
            startup::open_database(&settings).map(|_| println!("migrations are up to date"))
        }
        Command::Instance {
            action: InstanceAction::Create { name, description },
        } => create_instance(&settings, &name, &description),
        Command::Key {
            action:
                KeyAction::Create {
                    instance,
                    role,
                    user,
                    description,
                },
        } => create_key(&settings, &instance, &role, user, description.as_deref()),
        Command::Key {
            action: KeyAction::Revoke { instance, id },
        } => revoke_key(&settings, &instance, id),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("roster: {message}");
    ExitCode::FAILURE
}

fn serve(settings: Settings) -> Result<(), String> {
    let bind = settings.bind.clone();
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = startup::build(settings, true)?;
        if let Some(key) = &app.generated_account_key {
            println!("Generated the account key (shown once, stored only as a hash): {key}");
        }
        tracing::info!(address = %bind, port = app.port, "roster is listening");
        app.server.await.map_err(|e| e.to_string())
    })
}

fn connect(settings: &Settings) -> Result<db::DbConn, String> {
    let pool = startup::open_database(settings)?;
    pool.get().map_err(|e| e.to_string())
}

fn create_instance(settings: &Settings, name: &str, description: &str) -> Result<(), String> {
    let name = InstanceName::parse_str(name)?.into_inner();
    let mut conn = connect(settings)?;
    if db::instances::find_by_name(&mut conn, &name)
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("instance {name:?} already exists"));
    }
    let instance =
        db::instances::insert(&mut conn, &name, description).map_err(|e| e.to_string())?;
    let key = issue(
        &mut conn,
        instance.id,
        KeyRole::Admin,
        None,
        Some("created with the instance"),
    )?;
    println!("Created instance {name} (id {}).", instance.id);
    println!("Admin key (shown once): {key}");
    Ok(())
}

fn issue(
    conn: &mut db::AnyConnection,
    instance_id: i64,
    role: KeyRole,
    user: Option<i64>,
    description: Option<&str>,
) -> Result<String, String> {
    let key = generate_key();
    let (hash, prefix) = (hash_key(&key), key_prefix(&key));
    let new = NewApiKey {
        instance_id,
        role: role.as_str(),
        user_id: user,
        description,
        prefix: &prefix,
        key_hash: &hash,
        created_at: now(),
    };
    db::keys::insert(conn, &new).map_err(|e| e.to_string())?;
    Ok(key)
}

fn create_key(
    settings: &Settings,
    instance: &str,
    role: &str,
    user: Option<i64>,
    description: Option<&str>,
) -> Result<(), String> {
    let role = KeyRole::parse_str(role).ok_or("role must be admin or user")?;
    match (role, user) {
        (KeyRole::User, None) => return Err("a user key needs --user ID".into()),
        (KeyRole::Admin, Some(_)) => return Err("an admin key takes no --user".into()),
        _ => {}
    }
    let mut conn = connect(settings)?;
    let inst = db::instances::find_by_name(&mut conn, instance)
        .map_err(|e| e.to_string())?
        .ok_or(format!("no instance named {instance:?}"))?;
    if let Some(u) = user {
        if db::users::existing_ids(&mut conn, inst.id, &[u])
            .map_err(|e| e.to_string())?
            .is_empty()
        {
            return Err(format!("no user {u} in instance {instance:?}"));
        }
    }
    let key = issue(&mut conn, inst.id, role, user, description)?;
    println!("{key}");
    Ok(())
}

fn revoke_key(settings: &Settings, instance: &str, id: i64) -> Result<(), String> {
    let mut conn = connect(settings)?;
    let inst = db::instances::find_by_name(&mut conn, instance)
        .map_err(|e| e.to_string())?
        .ok_or(format!("no instance named {instance:?}"))?;
    db::keys::revoke(&mut conn, inst.id, id)
        .map_err(|e| e.to_string())?
        .ok_or(format!("no key {id} in instance {instance:?}"))?;
    println!("revoked key {id}");
    Ok(())
}
