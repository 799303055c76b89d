//! The frame around every page: header, navigation, user menu, home and 404.

pub mod address_filter;
pub mod allowed;
pub mod email_cell;
pub mod fields;
pub mod header;
pub mod home;
pub mod leave_guard;
pub mod modal;
pub mod nav;
pub mod not_found;
pub mod paging;
pub mod route_focus;
pub mod scroll_box;
pub mod time_cell;
pub mod title;
