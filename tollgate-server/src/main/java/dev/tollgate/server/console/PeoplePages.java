package dev.tollgate.server.console;

import static dev.tollgate.server.console.Html.esc;

import dev.tollgate.api.store.PeopleStore.Person;
import dev.tollgate.server.Passwords;
import dev.tollgate.server.People;
import dev.tollgate.server.http.Exchange;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The people page for admins (list, add with roles, disable, enable, remove, reset a password) and
 * the password page for everyone signed in. The rules are {@link People}'s; this class only turns
 * forms into calls and answers into pages.
 */
final class PeoplePages {
  private static final List<String> ROLES = List.of("approver", "admin", "auditor");

  private final People people;
  private final InstantSource clock;

  PeoplePages(People people, InstantSource clock) {
    this.people = people;
    this.clock = clock;
  }

  void list(Exchange ex, Viewer viewer) throws IOException {
    page(ex, viewer, 200, null, null, null);
  }

  /**
   * One action of the people page: {@code add}, {@code disable}, {@code enable}, {@code remove} or
   * {@code reset}. A password left blank on add or reset is generated and shown once.
   */
  void act(Exchange ex, Viewer viewer, String action, Map<String, String> form)
      throws IOException, Web.Refusal {
    String name = form.getOrDefault("name", "").strip();
    String typed = form.getOrDefault("password", "");
    String password = typed.isEmpty() ? Passwords.generate() : typed;
    String shown = typed.isEmpty() ? password : null;
    try {
      String done =
          switch (action) {
            case "add" -> {
              Set<String> roles = new TreeSet<>();
              for (String role : ROLES) {
                if (form.containsKey("role-" + role)) {
                  roles.add(role);
                }
              }
              people.add(viewer.name(), name, roles, password.toCharArray());
              yield "Added " + name + " (" + String.join(", ", roles) + ").";
            }
            case "disable" -> {
              people.disable(viewer.name(), name);
              yield "Disabled " + name + ": their sessions have ended and they cannot sign in.";
            }
            case "enable" -> {
              people.enable(viewer.name(), name);
              yield "Enabled " + name + ": they can sign in again.";
            }
            case "remove" -> {
              people.remove(viewer.name(), name);
              yield "Removed " + name + ". What they decided stays recorded under their name.";
            }
            case "reset" -> {
              people.resetPassword(viewer.name(), name, password.toCharArray());
              yield "New password for " + name + ": their sessions have ended.";
            }
            default -> throw new Web.Refusal(404, "Not found", "no such action on people");
          };
      boolean generated = shown != null && (action.equals("add") || action.equals("reset"));
      page(ex, viewer, 200, done, null, generated ? shown : null);
    } catch (People.PeopleException e) {
      page(ex, viewer, e.status(), null, e.getMessage(), null);
    }
  }

  private void page(
      Exchange ex, Viewer viewer, int status, String done, String error, String password)
      throws IOException {
    Instant now = clock.instant();
    StringBuilder b = new StringBuilder("<h1>People</h1>");
    if (done != null) {
      b.append("<p class=\"ok\" id=\"done\">").append(esc(done));
      if (password != null) {
        b.append(" Their password, shown once: <code id=\"new-password\">")
            .append(esc(password))
            .append("</code>");
      }
      b.append("</p>");
    }
    if (error != null) {
      b.append("<p class=\"error\" id=\"error\">").append(esc(error)).append("</p>");
    }
    b.append("<table id=\"people\"><thead><tr><th>Name</th><th>Roles</th><th>Status</th>")
        .append("<th>Added</th><th></th></tr></thead><tbody>");
    for (Person p : people.list()) {
      String state = p.disabled() ? "disabled" : "active";
      b.append("<tr data-name=\"")
          .append(esc(p.name()))
          .append("\"><td>")
          .append(esc(p.name()))
          .append(p.name().equals(viewer.name()) ? " <span class=\"tag\">you</span>" : "")
          .append("</td><td>")
          .append(esc(String.join(", ", new TreeSet<>(p.roles()))))
          .append("</td><td><span class=\"status ")
          .append(p.disabled() ? "revoked" : "active")
          .append("\">")
          .append(state)
          .append("</span></td><td>")
          .append(esc(Web.ago(p.created(), now)))
          .append("</td><td class=\"actions\">");
      if (!p.name().equals(viewer.name())) {
        button(b, viewer, p, p.disabled() ? "enable" : "disable", null);
        b.append("<form method=\"post\" action=\"/console/people/reset\" class=\"inline\">")
            .append(Html.hidden("csrf", viewer.csrf()))
            .append(Html.hidden("name", p.name()))
            .append("<input type=\"password\" name=\"password\" autocomplete=\"new-password\"")
            .append(" placeholder=\"new password (blank: generate)\">")
            .append("<button type=\"submit\">Reset password</button></form>");
        button(b, viewer, p, "remove", "danger");
      } else {
        b.append("<a href=\"/console/password\">Change your password</a>");
      }
      b.append("</td></tr>");
    }
    b.append("</tbody></table>");

    b.append("<h2>Add a person</h2>")
        .append("<form method=\"post\" action=\"/console/people/add\" id=\"add-person\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append("<label>Name <input name=\"name\" id=\"person-name\" required")
        .append(" autocomplete=\"off\"></label><fieldset><legend>Roles</legend>");
    for (String role : ROLES) {
      b.append("<label><input type=\"checkbox\" name=\"role-")
          .append(role)
          .append("\" id=\"role-")
          .append(role)
          .append("\"> ")
          .append(role)
          .append(" <span class=\"hint\">")
          .append(
              switch (role) {
                case "approver" -> "inbox, approve and deny, grants";
                case "admin" -> "everything, people and revoking grants included";
                default -> "overview and audit, read only";
              })
          .append("</span></label>");
    }
    b.append("</fieldset><label>Password <input type=\"password\" name=\"password\"")
        .append(" id=\"person-password\" autocomplete=\"new-password\"> (at least ")
        .append(People.MIN_PASSWORD_CHARS)
        .append(" characters; blank: generate one and show it once)</label>")
        .append("<button type=\"submit\" id=\"add\">Add</button></form>");
    Web.html(ex, status, Html.page("People", viewer, "/console/people", b.toString()));
  }

  private static void button(StringBuilder b, Viewer viewer, Person p, String action, String css) {
    b.append("<form method=\"post\" action=\"/console/people/")
        .append(action)
        .append("\" class=\"inline\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append(Html.hidden("name", p.name()))
        .append("<button type=\"submit\"")
        .append(css == null ? "" : " class=\"" + css + "\"")
        .append(" data-action=\"")
        .append(action)
        .append("\">")
        .append(Character.toUpperCase(action.charAt(0)))
        .append(action.substring(1))
        .append("</button></form>");
  }

  /** The password page: current password, new one twice. */
  void passwordPage(Exchange ex, Viewer viewer, int status, String done, String error)
      throws IOException {
    StringBuilder b = new StringBuilder("<h1>Your password</h1>");
    if (done != null) {
      b.append("<p class=\"ok\" id=\"done\">").append(esc(done)).append("</p>");
    }
    if (error != null) {
      b.append("<p class=\"error\" id=\"error\">").append(esc(error)).append("</p>");
    }
    b.append("<form method=\"post\" action=\"/console/password\" class=\"login\">")
        .append(Html.hidden("csrf", viewer.csrf()))
        .append("<input type=\"text\" name=\"username\" autocomplete=\"username\" hidden")
        .append(" value=\"")
        .append(esc(viewer.name()))
        .append("\">")
        .append("<label>Current password <input type=\"password\" name=\"current\" id=\"current\"")
        .append(" autocomplete=\"current-password\" required></label>")
        .append("<label>New password <input type=\"password\" name=\"new\" id=\"new\"")
        .append(" autocomplete=\"new-password\" required></label>")
        .append("<label>New password again <input type=\"password\" name=\"repeat\" id=\"repeat\"")
        .append(" autocomplete=\"new-password\" required></label>")
        .append("<p class=\"hint\">At least ")
        .append(People.MIN_PASSWORD_CHARS)
        .append(" characters. Your other sessions end when it changes.</p>")
        .append("<button type=\"submit\" id=\"change-password\">Change password</button></form>");
    Web.html(ex, status, Html.page("Password", viewer, "/console/password", b.toString()));
  }

  /**
   * Changes the viewer's password.
   *
   * @return true when it changed (every session of theirs has ended: the caller opens a new one)
   */
  boolean changePassword(Exchange ex, Viewer viewer, Map<String, String> form, String address)
      throws IOException {
    String next = form.getOrDefault("new", "");
    if (!next.equals(form.getOrDefault("repeat", ""))) {
      passwordPage(ex, viewer, 400, null, "The two new passwords differ: type the same twice.");
      return false;
    }
    try {
      people.changePassword(
          viewer.name(),
          form.getOrDefault("current", "").toCharArray(),
          next.toCharArray(),
          address);
      return true;
    } catch (People.PeopleException e) {
      Web.retryAfter(ex, e);
      passwordPage(ex, viewer, e.status(), null, e.getMessage());
      return false;
    }
  }
}
