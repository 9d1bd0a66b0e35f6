//! `navsync-ado-sync` killed with SIGKILL in the middle of 200 creates, then restarted:
//! exactly 200 work items, each with its action item's latest values.

use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::helpers::{World, eventually, item, world_without_sync};

fn start(w: &World) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_navsync-ado-sync"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NAVSYNC_DATABASE__URL", w.db.url())
        .env("NAVSYNC_ADO__BASE_URL", &w.emulator.base_url)
        .env("NAVSYNC_HTTP__PORT", "0")
        .env("NAVSYNC_SYNC__LEASE_SECS", "2")
        .env("NAVSYNC_LOG__LEVEL", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in w.sync_env() {
        cmd.env(k, v);
    }
    cmd.spawn().expect("navsync-ado-sync starts")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_way_leaves_exactly_one_work_item_per_action_item() {
    let w = world_without_sync("Agile").await;
    w.emulator
        .emulator
        .set_latency(navsync_ado_emulator::Latency {
            fixed_ms: 20,
            jitter_ms: 20,
        })
        .expect("latency");
    let mut items: Vec<_> = (0..200).map(|i| item(&w, &format!("crash {i}"))).collect();
    for it in &items {
        w.created(it).await;
    }
    for it in &mut items {
        it.version = 2;
        it.title = format!("{} (edited)", it.title);
        w.updated(it, &["title"]).await;
    }
    let mut worker = start(&w);
    assert!(
        eventually(60, || async { w.work_items().len() >= 40 }).await,
        "work began"
    );
    worker.start_kill().expect("SIGKILL");
    let _ = worker.wait().await;
    let at_kill = w.work_items().len();
    assert!(at_kill < 200, "killed in the middle ({at_kill} done)");

    let mut worker = start(&w);
    let all_synced = eventually(120, || async {
        let mut done = 0;
        for it in &items {
            if w.synced_version(it).await == Some(2) {
                done += 1;
            }
        }
        done == items.len()
    })
    .await;
    assert!(all_synced, "every item synced after the restart");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let work_items = w.work_items();
    assert_eq!(
        work_items.len(),
        200,
        "exactly one work item per action item"
    );
    for it in &items {
        let mine = w.work_items_of(it);
        assert_eq!(mine.len(), 1, "{}", it.title);
        assert_eq!(mine[0].text("System.Title"), it.title);
    }
    let _ = worker.start_kill();
    println!("killed after {at_kill} of 200 work items");
}
