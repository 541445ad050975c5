//! `roster import` end to end: the real binary against a live server on both backends.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::both;
use crate::support::{Tenant, TestApp};

fn roster() -> Command {
    Command::new(env!("CARGO_BIN_EXE_roster"))
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "roster_import_{}_{}_{name}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::write(&path, content).expect("write file");
    path
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

async fn seed(app: &TestApp, t: &Tenant, users: usize, groups: usize) {
    for chunk in (0..users).collect::<Vec<_>>().chunks(100) {
        let objs: Vec<Value> = chunk
            .iter()
            .map(|i| json!({"username": format!("user{i}")}))
            .collect();
        app.post(&t.at("/users"), &t.key, json!({ "users": objs }))
            .await
            .assert_status(201);
    }
    let objs: Vec<Value> = (0..groups)
        .map(|i| json!({"name": format!("group{i}")}))
        .collect();
    app.post(&t.at("/groups"), &t.key, json!({ "groups": objs }))
        .await
        .assert_status(201);
}

/// 10,000 distinct (user, group) pairs by name: user i%500 in group i/100 spread.
fn csv_of_pairs(rows: usize) -> String {
    let mut s = String::from("username,group,role\n");
    for i in 0..rows {
        let role = if i % 97 == 0 { "admin" } else { "member" };
        s.push_str(&format!(
            "user{},group{},{role}\n",
            i % 500,
            i / 500 + (i % 500) % 5 * 20
        ));
    }
    s
}

async fn membership_count(app: &TestApp, t: &Tenant) -> u64 {
    app.get(&t.at("/memberships?per_page=1"), &t.key).await.body["meta"]["count"]
        .as_u64()
        .unwrap_or(0)
}

fn import_cmd(app: &TestApp, t: &Tenant, file: &std::path::Path, extra: &[&str]) -> Command {
    let mut cmd = roster();
    cmd.arg("import")
        .arg(file)
        .args(["--url", &app.base, "--instance", &t.name])
        .args(extra)
        .env("ROSTER_API_KEY", &t.key);
    cmd.env_remove("ROSTER_DATABASE_URL");
    cmd
}

both! {
    async fn imports_ten_thousand_rows(app) {
        let t = app.tenant("acme").await;
        seed(&app, &t, 500, 100).await;
        let content = csv_of_pairs(10_000);
        let file = temp_file("10k.csv", &content);
        let started = Instant::now();
        let out = import_cmd(&app, &t, &file, &["--concurrency", "4"]).output().expect("run import");
        let secs = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "import failed: {stdout} {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("created 10000"), "{stdout}");
        eprintln!("import of 10,000 rows on {:?}: {secs:.2} s ({:.0} rows/s, debug build)", app.backend, 10_000.0 / secs);
        assert_eq!(membership_count(&app, &t).await, 10_000);
        // Admin roles came through.
        let admins = app.get(&t.at("/memberships?role=admin&per_page=1"), &t.key).await;
        assert_eq!(admins.body["meta"]["count"], json!((0..10_000).filter(|i| i % 97 == 0).count()));
        // The same command again creates nothing and reports it.
        let again = import_cmd(&app, &t, &file, &[]).output().expect("run import");
        assert!(again.status.success());
        assert!(String::from_utf8_lossy(&again.stdout).contains("created 0") || String::from_utf8_lossy(&again.stdout).contains("sent by an earlier run"));
        assert_eq!(membership_count(&app, &t).await, 10_000);
        let _ = std::fs::remove_file(file);
    }

    async fn a_killed_import_finishes_on_rerun_without_duplicates(app) {
        let t = app.tenant("acme").await;
        seed(&app, &t, 500, 100).await;
        let file = temp_file("kill.csv", &csv_of_pairs(10_000));
        // on_conflict=error: only the Idempotency-Key replays make the rerun succeed.
        let args = ["--on-conflict", "error", "--concurrency", "1", "--batch-size", "50"];
        let mut child = import_cmd(&app, &t, &file, &args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn import");
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let n = membership_count(&app, &t).await;
            if n >= 1_000 || Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().expect("kill");
        let _ = child.wait();
        let partial = membership_count(&app, &t).await;
        assert!(partial > 0 && partial < 10_000, "the import was not stopped part-way ({partial})");
        let out = import_cmd(&app, &t, &file, &args).output().expect("rerun");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "rerun failed: {stdout} {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("rejected 0"), "{stdout}");
        assert_eq!(membership_count(&app, &t).await, 10_000);
        let _ = std::fs::remove_file(file);
    }

    async fn bad_lines_go_to_the_rejects_file(app) {
        let t = app.tenant("acme").await;
        let users = app.users(&t, &["geralt", "ciri"]).await;
        let groups = app.groups(&t, &["witchers"]).await;
        let content = format!(
            "{{\"username\": \"geralt\", \"group\": \"witchers\", \"role\": \"admin\"}}\n\
             this is not json\n\
             {{\"user_id\": \"{}\", \"group_id\": \"{}\", \"color\": \"red\"}}\n\
             {{\"user_id\": \"{}\", \"group_id\": \"{}\", \"role\": \"boss\"}}\n\
             {{\"username\": \"nobody\", \"group\": \"witchers\"}}\n\
             {{\"user_id\": \"999999\", \"group_id\": \"{}\"}}\n",
            users[1], groups[0], users[1], groups[0], groups[0]
        );
        let file = temp_file("bad.jsonl", &content);
        let rejects = temp_file("rejects.jsonl", "");
        let out = import_cmd(&app, &t, &file, &["--rejects", rejects.to_str().unwrap()]).output().expect("run import");
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<Value> = std::fs::read_to_string(&rejects).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let numbers: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
        assert_eq!(numbers, vec![2, 3, 4, 5, 6]);
        assert!(lines[0]["error"].as_str().unwrap().contains("malformed JSON"));
        assert!(lines[1]["error"].as_str().unwrap().contains("color"));
        assert!(lines[2]["error"].as_str().unwrap().contains("role"));
        assert!(lines[3]["error"].as_str().unwrap().contains("nobody"));
        assert!(lines[4]["error"].as_str().unwrap().contains("missing_reference"));
        assert_eq!(lines[2]["data"].as_str().unwrap(), content.lines().nth(3).unwrap());
        // The good row went in regardless.
        assert_eq!(membership_count(&app, &t).await, 1);
        // --strict sends nothing when a line is bad.
        app.delete(&t.at(&format!("/groups/{}/users/{}", groups[0], users[0])), &t.key).await.assert_status(204);
        let out = import_cmd(&app, &t, &file, &["--strict"]).output().expect("run import");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(membership_count(&app, &t).await, 0);
        let _ = std::fs::remove_file(file);
        let _ = std::fs::remove_file(rejects);
    }

    async fn create_missing_makes_users_and_groups(app) {
        let t = app.tenant("acme").await;
        let file = temp_file("new.csv", "username,group\nnew1,team\nnew2,team\nnew1,other\n");
        let out = import_cmd(&app, &t, &file, &[]).output().expect("run import");
        assert_eq!(out.status.code(), Some(2), "without --create-missing the rows are rejected");
        assert_eq!(membership_count(&app, &t).await, 0);
        let out = import_cmd(&app, &t, &file, &["--create-missing"]).output().expect("run import");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(membership_count(&app, &t).await, 3);
        assert_eq!(app.get(&t.at("/users"), &t.key).await.body["meta"]["count"], json!(2));
        assert_eq!(app.get(&t.at("/groups"), &t.key).await.body["meta"]["count"], json!(2));
        let _ = std::fs::remove_file(file);
    }
}
