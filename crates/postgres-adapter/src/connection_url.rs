//! PostgreSQL connection URLs, with one host or several.
//!
//! libpq takes a list of hosts in one URL (`postgres://u@h1:5432,h2:5432/db?
//! target_session_attrs=read-write`): it tries them in turn and keeps the
//! first that suits, which is how the service follows a primary that moved
//! (`pg_autoctl show uri` prints such a URL). The `url` crate reads one host
//! only, and refuses `h1:5432,h2:5432` (a port followed by a comma), so the
//! host list is set aside while the rest of the URL is read or changed, then
//! put back as it was written. A URL with one host is read as before.

/// Stands for a host list while the rest of the URL is read: a reserved
/// name (`.invalid`), which no URL of a real server holds.
const HOSTS: &str = "otas-host-list.invalid";

/// Reads `text` as a URL, lets `edit` change it (its query, path, password;
/// never its host), and writes it back with its own host list. `None` when
/// `text` is not a URL, or one of its hosts is malformed.
pub fn edit_url(text: &str, edit: impl FnOnce(&mut url::Url)) -> Option<String> {
    let Some((head, hosts, tail)) = split_hosts(text) else {
        let mut url = url::Url::parse(text).ok()?;
        edit(&mut url);
        return Some(url.to_string());
    };
    // Each host must be one a one-host URL could name.
    for host in hosts.split(',') {
        if host.is_empty() || url::Url::parse(&format!("postgres://{host}/")).is_err() {
            return None;
        }
    }
    let mut url = url::Url::parse(&format!("{head}{HOSTS}{tail}")).ok()?;
    edit(&mut url);
    let written = url.to_string();
    let at = written.find(HOSTS)?;
    Some(format!(
        "{}{hosts}{}",
        &written[..at],
        &written[at + HOSTS.len()..]
    ))
}

/// Whether `text` lists several hosts without asking libpq for a writable
/// one (`target_session_attrs=read-write` or `primary`): libpq then keeps
/// the first host that answers, a standby after a failover, and every write
/// would be refused. `false` for a URL of one host, or no URL.
pub fn several_hosts_any_of_which_may_take_writes(text: &str) -> bool {
    if split_hosts(text).is_none() {
        return false;
    }
    let mut writable = false;
    // Only the query is read: the host list is set aside by edit_url.
    let _ = edit_url(text, |url| {
        writable = url.query_pairs().any(|(key, value)| {
            key == "target_session_attrs" && (value == "read-write" || value == "primary")
        });
    });
    !writable
}

/// `scheme://[user[:password]@]`, the host list, and the rest, when the
/// authority lists more than one host.
fn split_hosts(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find("://")? + 3;
    let authority_len = text[start..]
        .find(['/', '?', '#'])
        .unwrap_or(text.len() - start);
    let authority = &text[start..start + authority_len];
    let hosts_at = authority.rfind('@').map_or(0, |at| at + 1);
    let hosts = &authority[hosts_at..];
    if !hosts.contains(',') {
        return None;
    }
    let hosts_start = start + hosts_at;
    let hosts_end = start + authority_len;
    Some((
        &text[..hosts_start],
        &text[hosts_start..hosts_end],
        &text[hosts_end..],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "postgres://otas:s3cret@10.0.0.1:5432,db-b.internal:6432/otas?target_session_attrs=read-write";

    #[test]
    fn a_list_of_hosts_is_kept_as_written_while_the_query_changes() {
        let edited = edit_url(TWO, |url| {
            url.query_pairs_mut().append_pair("connect_timeout", "2");
        });
        assert_eq!(
            edited.as_deref(),
            Some("postgres://otas:s3cret@10.0.0.1:5432,db-b.internal:6432/otas?target_session_attrs=read-write&connect_timeout=2")
        );
    }

    #[test]
    fn the_password_of_a_list_of_hosts_can_be_masked() {
        let masked = edit_url(TWO, |url| {
            let _ = url.set_password(Some("***"));
        });
        let masked = masked.unwrap_or_default();
        assert!(!masked.contains("s3cret"), "{masked}");
        assert!(
            masked.contains("@10.0.0.1:5432,db-b.internal:6432/otas"),
            "{masked}"
        );
    }

    #[test]
    fn a_host_list_without_user_or_database_is_read_too() {
        let edited = edit_url("postgresql://h1,h2:5433", |url| url.set_path("/postgres"));
        assert_eq!(edited.as_deref(), Some("postgresql://h1,h2:5433/postgres"));
    }

    #[test]
    fn an_empty_or_malformed_host_in_the_list_is_refused() {
        assert_eq!(edit_url("postgres://h1:5432,/otas", |_| {}), None);
        assert_eq!(edit_url("postgres://h1:5432,h2:port/otas", |_| {}), None);
    }

    #[test]
    fn a_url_of_one_host_is_read_as_the_url_crate_reads_it() {
        let one = "postgres://u:p@db:5432/otas?sslmode=disable";
        assert_eq!(edit_url(one, |_| {}).as_deref(), Some(one));
        assert_eq!(edit_url("not a url", |_| {}), None);
    }

    #[test]
    fn several_hosts_without_a_writable_target_may_send_writes_to_a_standby() {
        let hosts = "postgres://u:p@h1:5432,h2:5432/otas";
        assert!(several_hosts_any_of_which_may_take_writes(hosts));
        assert!(several_hosts_any_of_which_may_take_writes(&format!(
            "{hosts}?target_session_attrs=any"
        )));
        assert!(!several_hosts_any_of_which_may_take_writes(&format!(
            "{hosts}?sslmode=disable&target_session_attrs=read-write"
        )));
        assert!(!several_hosts_any_of_which_may_take_writes(&format!(
            "{hosts}?target_session_attrs=primary"
        )));
        assert!(!several_hosts_any_of_which_may_take_writes(
            "postgres://u@h1:5432/otas"
        ));
    }
}
