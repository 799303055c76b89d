//! The emails ClassKeys sends, in plain text and HTML.

/// Subject, plain text and HTML of one email.
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The link to choose a new password.
pub fn reset_link_email(name: &str, school: &str, link: &str) -> Email {
    let text = format!(
        "Hello {name},\n\nSomeone asked to reset your ClassKeys password at {school}.\n\
         To choose a new password, open this link within 60 minutes (it works once):\n\n{link}\n\n\
         If this was not you, ignore this email: your password stays as it is.\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>Someone asked to reset your ClassKeys password at {school}.</p>\
         <p><a href=\"{link}\">Choose a new password</a> (the link works once, for 60 minutes).</p>\
         <p>If this was not you, ignore this email: your password stays as it is.</p>",
        name = escape(name),
        school = escape(school),
        link = escape(link)
    );
    Email {
        subject: format!("Reset your ClassKeys password ({school})"),
        text,
        html,
    }
}

/// Sent after a password was changed through a link.
pub fn password_changed_email(name: &str, school: &str) -> Email {
    let text = format!(
        "Hello {name},\n\nYour ClassKeys password at {school} was just changed, and every device was signed out.\n\
         If this was not you, contact the school office at once.\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>Your ClassKeys password at {school} was just changed, and every device was signed out.</p>\
         <p>If this was not you, contact the school office at once.</p>",
        name = escape(name),
        school = escape(school)
    );
    Email {
        subject: format!("Your ClassKeys password was changed ({school})"),
        text,
        html,
    }
}

/// Sent when an office admin adds a staff member: their username and a
/// link to choose their first password.
pub fn welcome_email(
    name: &str,
    school: &str,
    school_code: &str,
    username: &str,
    link: &str,
) -> Email {
    let text = format!(
        "Hello {name},\n\nYou now have a ClassKeys account at {school}. Your username is {username} \
         and your school code is {school_code}; you can also sign in with this email address and \
         no school code.\n\
         To choose your password, open this link within 60 minutes (it works once):\n\n{link}\n\n\
         If the link has expired, use \"Forgot password?\" on the sign-in page or ask the school office.\n"
    );
    let html = format!(
        "<p>Hello {name},</p><p>You now have a ClassKeys account at {school}. Your username is \
         <strong>{username}</strong> and your school code is <strong>{school_code}</strong>; you \
         can also sign in with this email address and no school code.</p>\
         <p><a href=\"{link}\">Choose your password</a> (the link works once, for 60 minutes).</p>\
         <p>If the link has expired, use \u{201c}Forgot password?\u{201d} on the sign-in page or ask the school office.</p>",
        name = escape(name),
        school = escape(school),
        school_code = escape(school_code),
        username = escape(username),
        link = escape(link)
    );
    Email {
        subject: format!("Your ClassKeys account at {school}"),
        text,
        html,
    }
}

/// The text of a reset link sent by SMS: short, and says who it is from.
pub fn reset_link_sms(school: &str, link: &str) -> String {
    format!(
        "ClassKeys, {school}: to choose a new password, open {link} within 60 minutes. \
         If you did not expect this, ignore it."
    )
}

/// A parent's sign-up: the link that finishes creating the account.
pub fn parent_confirm_email(school: &str, link: &str) -> Email {
    let text = format!(
        "Hello,\n\nSomeone (we hope you) used a parent access code of {school} to create a ClassKeys \
         account with this email address.\n\
         To finish, open this link within 60 minutes (it works once):\n\n{link}\n\n\
         If this was not you, ignore this email: no account is created.\n"
    );
    let html = format!(
        "<p>Hello,</p><p>Someone (we hope you) used a parent access code of {school} to create a \
         ClassKeys account with this email address.</p>\
         <p><a href=\"{link}\">Finish creating your account</a> (the link works once, for 60 minutes).</p>\
         <p>If this was not you, ignore this email: no account is created.</p>",
        school = escape(school),
        link = escape(link)
    );
    Email {
        subject: format!("Finish creating your ClassKeys parent account ({school})"),
        text,
        html,
    }
}

/// A parent's sign-up with an address that already has an account: no
/// link, and a way back in.
pub fn parent_address_in_use_email(school: &str, forgot_link: &str) -> Email {
    let text = format!(
        "Hello,\n\nSomeone used a parent access code of {school} to create a ClassKeys account with \
         this email address, but it already has a ClassKeys account, so nothing was created.\n\
         Sign in with this address instead. If you forgot its password, ask for a new one: {forgot_link}\n\
         A parent who is signed in adds another child with \"Add a child\".\n"
    );
    let html = format!(
        "<p>Hello,</p><p>Someone used a parent access code of {school} to create a ClassKeys account \
         with this email address, but it already has a ClassKeys account, so nothing was created.</p>\
         <p>Sign in with this address instead. If you forgot its password, \
         <a href=\"{forgot_link}\">ask for a new one</a>. A parent who is signed in adds another \
         child with \u{201c}Add a child\u{201d}.</p>",
        school = escape(school),
        forgot_link = escape(forgot_link)
    );
    Email {
        subject: "Your email address already has a ClassKeys account".to_string(),
        text,
        html,
    }
}
