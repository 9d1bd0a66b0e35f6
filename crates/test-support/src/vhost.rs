//! One RabbitMQ virtual host per test, made and removed with `rabbitmqctl` (root on our
//! machines and CI). Tests also use it to break the broker on purpose: close every
//! connection of the vhost, or take the user's permissions away and give them back.
//!
//! `NAVSYNC_TEST_AMQP_ADDR` (default `127.0.0.1:5672`) and `RABBITMQCTL` override the
//! defaults.

use std::process::Command;

use uuid::Uuid;

/// A client connection as `rabbitmqctl list_connections` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerConnection {
    pub pid: String,
    pub connected_at: String,
    pub heartbeat_secs: u32,
}

pub struct TestVhost {
    name: String,
    url: String,
}

/// Runs `rabbitmqctl` with `args`; what it printed.
fn ctl(args: &[&str]) -> Result<String, String> {
    let program = std::env::var("RABBITMQCTL").unwrap_or_else(|_| "rabbitmqctl".to_owned());
    let out = Command::new(&program)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

async fn ctl_async(args: Vec<String>) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ctl(&refs)
    })
    .await
    .map_err(|e| e.to_string())?
}

impl TestVhost {
    pub async fn create() -> Self {
        let name = format!("navsync_test_{}", Uuid::new_v4().simple());
        let addr =
            std::env::var("NAVSYNC_TEST_AMQP_ADDR").unwrap_or_else(|_| "127.0.0.1:5672".into());
        if let Err(e) = ctl_async(vec!["add_vhost".into(), name.clone()]).await {
            panic!("cannot create a RabbitMQ vhost: {e}");
        }
        let vhost = Self {
            url: format!("amqp://guest:guest@{addr}/{name}"),
            name,
        };
        vhost.allow().await;
        vhost
    }

    /// The AMQP URL of this vhost (guest/guest).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Closes every client connection to this vhost, as a broker restart would.
    pub async fn close_connections(&self) {
        let args = vec![
            "close_all_connections".into(),
            "-p".into(),
            self.name.clone(),
            "test: broker went away".into(),
        ];
        if let Err(e) = ctl_async(args).await {
            panic!("cannot close connections: {e}");
        }
    }

    /// The client connections to this vhost, each as the broker lists it: its process
    /// id, when it connected and its heartbeat timeout in seconds.
    pub async fn connections(&self) -> Vec<BrokerConnection> {
        let args = [
            "list_connections",
            "-q",
            "--no-table-headers",
            "vhost",
            "pid",
            "connected_at",
            "timeout",
        ];
        let listed = match ctl_async(args.map(String::from).to_vec()).await {
            Ok(listed) => listed,
            Err(e) => panic!("cannot list connections: {e}"),
        };
        listed
            .lines()
            .filter_map(|line| {
                let mut columns = line.split('\t');
                if columns.next()? != self.name {
                    return None;
                }
                let (pid, connected_at, timeout) =
                    (columns.next()?, columns.next()?, columns.next()?);
                Some(BrokerConnection {
                    pid: pid.to_owned(),
                    connected_at: connected_at.to_owned(),
                    heartbeat_secs: timeout.trim().parse().ok()?,
                })
            })
            .collect()
    }

    /// Takes the guest user's permissions on this vhost away: new connections fail.
    pub async fn deny(&self) {
        let args = vec![
            "clear_permissions".into(),
            "-p".into(),
            self.name.clone(),
            "guest".into(),
        ];
        if let Err(e) = ctl_async(args).await {
            panic!("cannot clear permissions: {e}");
        }
    }

    /// Gives the guest user every permission on this vhost.
    pub async fn allow(&self) {
        let args = vec![
            "set_permissions".into(),
            "-p".into(),
            self.name.clone(),
            "guest".into(),
            ".*".into(),
            ".*".into(),
            ".*".into(),
        ];
        if let Err(e) = ctl_async(args).await {
            panic!("cannot set permissions: {e}");
        }
    }
}

impl Drop for TestVhost {
    fn drop(&mut self) {
        if let Err(e) = ctl(&["delete_vhost", &self.name]) {
            eprintln!("could not delete test vhost {}: {e}", self.name);
        }
    }
}
