//! The command line: serve, migrate, and key and instance administration.

use std::process::ExitCode;

use anyhow::{anyhow, bail};
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db;
use crate::domain::{InstanceName, KeyId, KeyRole, UserId, MAX_BULK};
use crate::service::events::Actor;
use crate::service::keys::KeyRequest;
use crate::service::{self, ErrorItem, ServiceError};
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
    /// Import memberships from a CSV or JSON Lines file into a running Roster.
    Import(ImportArgs),
    /// The change feed (API.md §9).
    Events {
        #[command(subcommand)]
        action: EventsAction,
    },
}

#[derive(Subcommand)]
enum EventsAction {
    /// Print an instance's events, one JSON line each, and keep printing new ones.
    Tail {
        #[arg(long)]
        instance: String,
        /// Start after this event id (default: from the oldest kept).
        #[arg(long)]
        after: Option<i64>,
        /// Print what is there and exit instead of waiting for more.
        #[arg(long)]
        once: bool,
    },
}

/// `roster import FILE`: columns user_id or username, group_id or group, and optional
/// role and configurable_permissions (JSON). Re-running the same command after a crash
/// finishes the job without duplicates.
#[derive(clap::Args)]
struct ImportArgs {
    /// The file: .csv (with a header line) or .jsonl (one JSON object per line).
    file: std::path::PathBuf,
    /// The Roster to send to.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long)]
    instance: String,
    /// The API key (an instance admin key, or a group admin's user key).
    #[arg(long, env = "ROSTER_API_KEY", hide_env_values = true)]
    key: String,
    /// Create users and groups named in the file that do not exist yet.
    #[arg(long)]
    create_missing: bool,
    /// Batches in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    concurrency: u16,
    /// What a row whose user is already in the group is: ignore (counted as already
    /// present) or error (rejected).
    #[arg(long, default_value = "ignore", value_parser = ["ignore", "error"])]
    on_conflict: String,
    /// Write rejected rows here, one JSON object per line: line, data, error.
    #[arg(long)]
    rejects: Option<std::path::PathBuf>,
    /// Stop at the first bad line or rejected row instead of going on with the rest.
    #[arg(long)]
    strict: bool,
    /// Rows per request.
    #[arg(long, default_value_t = MAX_BULK as u16, value_parser = clap::value_parser!(u16).range(1..=MAX_BULK as i64))]
    batch_size: u16,
    /// Retries of a batch on 409, 429, 5xx and connection errors.
    #[arg(long, default_value_t = 8)]
    retries: u32,
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
    if let Some(Command::Import(args)) = cli.command {
        return import(args);
    }
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => return fail(&format!("configuration: {e:#}")),
    };
    crate::telemetry::init(&settings.log, settings.log_json);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => connect(&settings).map(|_| println!("migrations are up to date")),
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
        Command::Events {
            action:
                EventsAction::Tail {
                    instance,
                    after,
                    once,
                },
        } => crate::tail::run(&settings, &instance, after, once),
        Command::Import(_) => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&format!("{e:#}")),
    }
}

/// Exit code 0 when every row made it, 2 when some were rejected or failed, 1 on a
/// fatal error.
fn import(args: ImportArgs) -> ExitCode {
    let opts = crate::import::Options {
        file: args.file,
        url: args.url,
        instance: args.instance,
        key: args.key,
        create_missing: args.create_missing,
        concurrency: usize::from(args.concurrency),
        on_conflict_ignore: args.on_conflict == "ignore",
        rejects: args.rejects,
        strict: args.strict,
        batch_size: usize::from(args.batch_size),
        max_retries: args.retries,
    };
    match crate::import::run(&opts) {
        Ok(s) => {
            let rate = (s.created + s.already_present) as f64 / s.seconds.max(0.001);
            println!(
                "imported {} rows in {:.1} s ({rate:.0} rows/s): created {}, already present {}, rejected {}, failed {}{}",
                s.rows,
                s.seconds,
                s.created,
                s.already_present,
                s.rejected,
                s.failed,
                if s.replayed > 0 { format!(" ({} rows of batches sent by an earlier run)", s.replayed) } else { String::new() }
            );
            if s.rejected + s.failed > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("roster: {message}");
    ExitCode::FAILURE
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.bind.clone();
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = startup::build(settings, true)?;
        if let Some(key) = &app.generated_account_key {
            println!("Generated the account key (shown once, stored only as a hash): {key}");
        }
        tracing::info!(address = %bind, port = app.port, "roster is listening");
        let served = app.server.await;
        // Webhook deliveries save their progress and give up their leases.
        app.webhooks.stop().await;
        Ok(served?)
    })
}

/// One direct connection, migrated. No pool: a pool's background threads could still
/// be opening a connection (with libpq and OpenSSL) when the command exits, and that
/// crashed the process at exit.
fn connect(settings: &Settings) -> anyhow::Result<db::AnyConnection> {
    let url = db::DatabaseUrl::parse(&settings.database_url)?;
    let mut conn = db::connect_once(&url)?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

/// A rule's refusal as one line for the terminal.
fn said(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid(items) => anyhow!(items
            .iter()
            .map(|i| i.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")),
        other => other.into(),
    }
}

fn find_instance(
    conn: &mut db::AnyConnection,
    name: &str,
) -> anyhow::Result<service::instances::Instance> {
    service::instances::find_on(conn, name)
        .map_err(said)?
        .ok_or_else(|| anyhow!("no instance named {name:?}"))
}

fn create_instance(settings: &Settings, name: &str, description: &str) -> anyhow::Result<()> {
    let name = InstanceName::parse_str(name)
        .map_err(|e| anyhow!(e))?
        .into_inner();
    let mut conn = connect(settings)?;
    if service::instances::find_on(&mut conn, &name)
        .map_err(said)?
        .is_some()
    {
        bail!("instance {name:?} already exists");
    }
    let (instance, issued) = db::write_transaction(&mut conn, |conn| {
        let instance = service::instances::create_on(conn, &name, description)?;
        let request = KeyRequest {
            role: KeyRole::Admin,
            user_id: None,
            description: Some("created with the instance".into()),
        };
        let issued = service::keys::issue_on(conn, &Actor::cli(), instance.id, &request)?;
        Ok::<_, ServiceError>((instance, issued))
    })
    .map_err(said)?;
    println!("Created instance {name} (id {}).", instance.id);
    println!("Admin key (shown once): {}", issued.secret);
    Ok(())
}

fn create_key(
    settings: &Settings,
    instance: &str,
    role: &str,
    user: Option<i64>,
    description: Option<&str>,
) -> anyhow::Result<()> {
    let role = KeyRole::parse_str(role).ok_or_else(|| anyhow!("role must be admin or user"))?;
    let request = KeyRequest {
        role,
        user_id: user.map(UserId),
        description: description.map(str::to_string),
    };
    if request.check().is_some() {
        bail!(match role {
            KeyRole::User => "a user key needs --user ID",
            KeyRole::Admin => "an admin key takes no --user",
        });
    }
    let mut conn = connect(settings)?;
    let inst = find_instance(&mut conn, instance)?;
    let issued = db::write_transaction(&mut conn, |conn| {
        service::keys::issue_on(conn, &Actor::cli(), inst.id, &request)
    })
    .map_err(|e| match (e, user) {
        (ServiceError::Invalid(items), Some(u))
            if items
                .iter()
                .any(|i: &ErrorItem| i.kind == "missing_reference") =>
        {
            anyhow!("no user {u} in instance {instance:?}")
        }
        (other, _) => said(other),
    })?;
    println!("{}", issued.secret);
    Ok(())
}

fn revoke_key(settings: &Settings, instance: &str, id: i64) -> anyhow::Result<()> {
    let mut conn = connect(settings)?;
    let inst = find_instance(&mut conn, instance)?;
    db::write_transaction(&mut conn, |conn| {
        service::keys::revoke_on(conn, &Actor::cli(), inst.id, KeyId(id))
    })
    .map_err(|e| match e {
        ServiceError::NotFound => anyhow!("no key {id} in instance {instance:?}"),
        other => said(other),
    })?;
    println!("revoked key {id}");
    Ok(())
}
