#![doc = include_str!("../README.md")]
// Test code: the contract is run by tests only, and a failed expectation in it
// is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod access;
pub mod agent_writes;
pub mod agents;
pub mod catalog;
pub mod filters;
pub mod fixture;
pub mod key_checks;
pub mod key_writes;
pub mod privileges;
pub mod reads;
pub mod reference;
pub mod sdk_key_list;
pub mod sdk_key_writes;
pub mod sessions;
pub mod writes;

mod support;

pub use fixture::{
    agent_key_row, agent_row, membership_row, project_row, session_row, user_row, Fixture,
};

/// Every contract test, as `module::function`, in the order
/// [`store_contract_tests!`] declares them.
pub const CONTRACT_TESTS: &[&str] = __store_contract!(@list @names;);

/// Expands to one `#[test]` per contract function, run with the given
/// [`Fixture`] type, in one module per part of the contract (`access`,
/// `agents`, `key_checks`, `sessions`, `filters`, `reads`, `writes`): `cargo test` then
/// `agents`, `privileges`, `catalog`, `agent_writes`, `key_writes`, `sdk_key_writes`, `sdk_key_list`, `sessions`, `filters`, `reads`,
/// `writes`): `cargo test` then
/// lists them as, for example,
/// `sessions::oldest_first_is_the_exact_reverse_of_newest_first`.
///
/// Invoke it once, at the top level of an integration test file; it declares
/// those modules and the type alias `StoreContractFixture` there.
#[macro_export]
macro_rules! store_contract_tests {
    ($fixture:ty $(,)?) => {
        $crate::__store_contract!(@list @tests $fixture;);
    };
}

/// The one list of contract tests, handed to `@tests` (the `#[test]`
/// functions) or `@names` ([`CONTRACT_TESTS`]). Not part of the API.
#[doc(hidden)]
#[macro_export]
macro_rules! __store_contract {
    (@list @$then:ident $($fixture:ty)?;) => {
        $crate::__store_contract! { @$then $($fixture)?;
            access {
                a_user_with_a_row_in_users_exists,
                a_user_without_a_row_in_users_does_not_exist_and_is_a_member_of_nothing,
                an_active_member_of_an_active_project_with_an_active_agent_gets_every_fact_true,
                a_member_whose_mapping_is_inactive_is_not_a_project_member,
                a_member_of_an_inactive_project_is_not_a_project_member,
                a_user_without_a_mapping_to_the_project_is_not_a_project_member,
                the_creator_of_a_project_is_not_a_member_without_a_mapping,
                a_membership_of_another_project_does_not_make_a_member_of_this_one,
                an_unknown_project_has_no_members,
                no_project_means_no_membership_and_no_agent_in_project,
                an_active_agent_of_the_project_is_in_the_project,
                an_inactive_agent_is_not_in_the_project,
                an_agent_of_another_project_is_not_in_the_project,
                no_agent_means_no_agent_in_project,
                an_unknown_agent_is_not_in_the_project,
                an_active_agent_of_an_inactive_project_is_in_it_though_no_one_is_a_member,
            }
            agents {
                keys_come_back_by_prefix_exactly_as_stored,
                a_key_of_an_inactive_agent_says_its_agent_is_inactive,
                last_used_at_is_written_at_most_once_a_minute,
                the_directory_names_an_agent_and_its_project,
            }
            key_checks {
                sdk_keys_come_back_by_prefix_exactly_as_stored_with_their_project,
                sdk_key_last_used_at_is_written_at_most_once_a_minute,
                a_key_comes_with_its_agents_profile,
            }
            privileges {
                an_active_mapping_of_privilege_1_makes_a_project_admin,
                an_active_mapping_of_privilege_2_makes_a_member_not_an_admin,
                an_inactive_admin_mapping_or_project_makes_no_admin,
            }
            catalog {
                an_agent_and_its_keys_are_listed_as_written,
                only_the_projects_active_agents_and_their_active_keys_are_listed_oldest_first,
                a_project_without_agents_lists_none,
                the_list_holds_at_most_the_bounds_agents_and_keys,
            }
            agent_writes {
                a_created_agent_is_listed_with_its_key_which_is_usable,
                an_agent_whose_key_is_refused_is_not_written,
            }
            key_writes {
                a_new_key_revokes_the_agents_active_keys_and_only_its,
                a_key_for_an_agent_outside_the_project_is_not_written,
                a_refused_new_key_revokes_nothing,
                a_key_is_revoked_once_and_only_within_its_project,
            }
            sdk_key_writes {
                a_created_sdk_key_is_found_by_its_prefix_and_usable_until_it_expires,
                an_sdk_key_whose_id_is_taken_is_refused,
                an_sdk_key_is_revoked_once_and_only_within_its_project,
            }
            sdk_key_list {
                a_projects_sdk_keys_are_listed_newest_first_revoked_ones_included,
                the_sdk_key_list_holds_at_most_the_limit_the_newest,
            }
            sessions {
                sessions_come_newest_first_with_equal_times_in_descending_id_order,
                sessions_created_at_the_exact_same_time_come_in_descending_id_order,
                oldest_first_is_the_exact_reverse_of_newest_first,
                walking_newest_first_pages_returns_every_session_once_in_order,
                walking_oldest_first_pages_returns_every_session_once_in_order,
                the_page_after_the_last_session_is_empty,
                a_page_holds_at_most_limit_sessions_the_first_ones_in_order,
                the_next_page_resumes_after_a_session_deleted_since_the_last_page,
                a_session_created_while_paging_newest_first_does_not_shift_the_next_page,
                a_session_created_while_paging_oldest_first_does_not_shift_the_next_page,
                only_the_requested_agents_sessions_are_listed,
                an_agent_with_no_sessions_lists_nothing,
                a_session_opened_without_a_key_has_none_and_one_opened_with_a_key_has_that_key,
                meta_comes_back_as_the_same_json_value_nested_and_unicode_included,
                meta_in_any_spelling_comes_back_as_an_equal_json_value,
                an_empty_meta_comes_back_as_an_empty_object,
                a_session_whose_meta_is_any_json_value_is_listed_as_stored,
                created_at_keeps_its_microseconds_exactly,
                created_at_before_the_unix_epoch_keeps_its_microseconds_and_its_place_in_the_order,
            }
            filters {
                the_store_keeps_exactly_the_sessions_the_reference_keeps_in_order,
                every_filter_but_the_trivial_ones_keeps_some_sessions_and_drops_others,
                walking_filtered_pages_returns_the_reference_sessions_once_each_in_order,
                a_page_after_any_key_even_one_outside_the_time_bounds_is_the_reference_after_that_key,
                summarize_counts_the_reference_sessions_and_names_the_newest,
                an_agent_without_a_matching_session_summarizes_to_zero_and_no_newest,
                another_agents_matching_sessions_are_never_listed_or_counted,
                a_session_added_later_joins_the_filtered_listing_and_its_summary,
                the_store_matches_integers_beyond_double_precision_only_when_exactly_equal,
                the_reference_matches_integers_beyond_double_precision_only_when_exactly_equal,
                an_integer_beyond_i64_is_read_exactly_under_any_key,
                a_meta_filter_holding_a_nul_character_keeps_nothing_rather_than_failing,
                a_meta_filter_key_is_a_member_name_never_a_json_path,
                a_key_written_twice_counts_with_its_last_value_as_the_reference_does,
                a_meta_filter_matches_object_metas_only,
            }
            reads {
                keys_after_are_the_keys_of_exactly_the_sessions_read,
                sessions_and_summary_read_what_sessions_after_and_summarize_read,
                a_session_committed_between_the_reads_of_sessions_and_summary_is_in_neither,
                a_read_stops_after_the_session_that_passes_its_byte_bound,
            }
            writes {
                a_session_written_is_listed_with_its_key_time_and_meta_as_written,
                a_session_the_schema_refuses_is_a_failure_and_nothing_is_written,
            }
        }
    };
    (@tests $fixture:ty; $($module:ident { $($name:ident),* $(,)? })*) => {
        /// The fixture the contract tests of this file run with.
        type StoreContractFixture = $fixture;
        $(
            mod $module {
                $(
                    #[test]
                    fn $name() {
                        $crate::$module::$name::<super::StoreContractFixture>();
                    }
                )*
            }
        )*
    };
    (@names; $($module:ident { $($name:ident),* $(,)? })*) => {
        &[$($(concat!(stringify!($module), "::", stringify!($name))),*),*]
    };
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    /// `module::function` for every `pub fn` of a module's source: in the
    /// contract's modules, only the contract functions are public.
    fn contract_functions(module: &str, source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter_map(|line| line.strip_prefix("pub fn "))
            .map(|rest| {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                format!("{module}::{name}")
            })
            .collect()
    }

    #[test]
    fn the_macro_runs_every_contract_function_exactly_once() {
        let declared: Vec<&str> = super::CONTRACT_TESTS.to_vec();
        let unique: BTreeSet<String> = declared.iter().map(|s| (*s).to_owned()).collect();
        let defined: BTreeSet<String> = [
            ("access", include_str!("access.rs")),
            ("agents", include_str!("agents.rs")),
            ("key_checks", include_str!("key_checks.rs")),
            ("privileges", include_str!("privileges.rs")),
            ("catalog", include_str!("catalog.rs")),
            ("agent_writes", include_str!("agent_writes.rs")),
            ("key_writes", include_str!("key_writes.rs")),
            ("sdk_key_writes", include_str!("sdk_key_writes.rs")),
            ("sdk_key_list", include_str!("sdk_key_list.rs")),
            ("sessions", include_str!("sessions.rs")),
            ("filters", include_str!("filters.rs")),
            ("reads", include_str!("reads.rs")),
            ("writes", include_str!("writes.rs")),
        ]
        .into_iter()
        .flat_map(|(module, source)| contract_functions(module, source))
        .collect();

        assert_eq!(unique.len(), declared.len(), "a test is declared twice");
        assert_eq!(unique, defined);
    }

    #[test]
    fn contract_test_names_are_unique_even_without_their_module() {
        let names: BTreeSet<&str> = super::CONTRACT_TESTS
            .iter()
            .filter_map(|path| path.split_once("::").map(|(_, name)| name))
            .collect();

        assert_eq!(names.len(), super::CONTRACT_TESTS.len());
    }
}
