// context_values.cpp — request-scoped values in a context, keys of a private type, and TODO.
//
//   type ctxKey struct{ name string }                 // unexported: no other package can clash
//   ctx = context.WithValue(ctx, ctxKey{"request-id"}, id)
//   id, _ := ctx.Value(ctxKey{"request-id"}).(string)  // found anywhere below, through WithCancel too
//   clash: a library also stores context.WithValue(ctx, "user", ...) with a plain string key
#include <any>
#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

// CtxKey is the program's own key type (Go: an unexported struct type). A value stored under
// CtxKey{"user"} is found only with a CtxKey, never with the string "user".
struct CtxKey {
  std::string name;
  bool operator==(const CtxKey&) const = default;
};

std::string text_of(const std::any& v) {
  if (!v.has_value()) return "<nil>";
  if (const auto* s = std::any_cast<std::string>(&v)) return *s;
  return "<not a string>";
}

void context_values_main(const SampleParams& p, SampleOutcome& out) {
  const bool typed = p.get_choice("variant") == "typed-keys";
  const int requests = static_cast<int>(p.get_int("requests"));

  gor::WaitGroup wg{"wg"};
  std::atomic<int64_t> right_user{0}, right_id{0}, clobbered{0};
  for (int r = 1; r <= requests; ++r) {
    // The server's handler stores the request's values...
    const std::string user = "user" + std::to_string(r);
    const std::string id = "req-" + std::to_string(1000 + r);
    gor::Context ctx = gor::background();
    ctx = typed ? gor::with_value(ctx, CtxKey{"user"}, user) : gor::with_value(ctx, "user", user);
    ctx = typed ? gor::with_value(ctx, CtxKey{"request-id"}, id) : gor::with_value(ctx, "request-id", id);
    // ...a library it calls adds its own value under a plain string key that happens to be
    // "user" too (its notion of a user: the database login)...
    ctx = gor::with_value(ctx, "user", std::string("db-login"));
    auto [child, cancel] = gor::with_timeout(ctx, std::chrono::seconds(1));
    // ...and a goroutine deep in the call tree reads them back.
    wg.go([&, child, user, id, cancel] {
      const std::string got_user = text_of(typed ? child.value(CtxKey{"user"}) : child.value("user"));
      const std::string got_id = text_of(typed ? child.value(CtxKey{"request-id"}) : child.value("request-id"));
      if (got_user == user) right_user.fetch_add(1);
      if (got_user == "db-login") clobbered.fetch_add(1);
      if (got_id == id) right_id.fetch_add(1);
      gor::log("request " + id + ": user " + got_user);
      cancel();
    });
  }
  wg.wait();
  // TODO is Background by another name: a placeholder while the right context is unknown.
  const gor::Context todo = gor::todo();
  const bool todo_like_background = todo.done().is_nil() && todo.err() == gor::CtxErr::None &&
                                    !todo.deadline().has_value() && !todo.value("user").has_value();
  out.say(typed ? "typed keys" : "string keys", ": ", requests, " requests; the handler's user came back in ",
          right_user.load(), ", the library's \"user\" shadowed it in ", clobbered.load(),
          "; request ids found in ", right_id.load());
  out.say("context.TODO(): never cancelled, no deadline, no values, like Background: ",
          todo_like_background ? "yes" : "no");
  out.set("requests", requests);
  out.set("right_user", static_cast<double>(right_user.load()));
  out.set("clobbered", static_cast<double>(clobbered.load()));
  out.set("right_id", static_cast<double>(right_id.load()));
  out.set("todo_like_background", todo_like_background ? 1 : 0);
}

}  // namespace

Sample context_values() {
  SampleInfo info;
  info.id = "context-values";
  info.title = "Context values and TODO";
  info.topic = "Context";
  info.summary = "Request-scoped values ride down a context tree; keys of a private type cannot clash with another package's, plain strings can.";
  info.explanation =
      "For each request a handler stores the user and a request id in the context with "
      "WithValue, calls into a library that adds a value of its own, derives a context with a "
      "timeout, and starts a goroutine that reads the values back deep in the call tree. In the "
      "string-keys variant everybody uses plain strings as keys, and the library also happens to "
      "use \"user\". In the typed-keys variant the program's keys are values of its own type "
      "(Go: `type ctxKey struct{...}`, unexported).\n\n"
      "What to watch: Value walks up the chain from the context it is called on, through the "
      "WithTimeout and WithCancel layers, to the nearest WithValue with an equal key. With string "
      "keys the library's \"user\" is nearer, so every request sees the database login instead "
      "of its user. With typed keys the two keys have different types and never compare equal: "
      "every request finds its own user and id. At the end the sample checks that context.TODO() "
      "behaves like Background (never done, no deadline, no values).\n\n"
      "Under the hood a value context is one node holding a key and a value and a pointer to its "
      "parent; lookup is a linear walk, so values are for a few request-scoped facts (ids, "
      "credentials, trace spans), not for passing parameters. Keys are compared with ==, and two "
      "keys of different types are never equal: that is why Go's documentation asks for a key "
      "type of your own. TODO is for code that will be given a context later: linters can find it.\n\n"
      "The pitfall is a built-in type (string, int) as a key: any package can collide with it. "
      "The fix is an unexported key type, with accessor functions around it.";
  info.default_procs = 2;
  info.suggested_dilation = 20;
  info.params = {
      choice_param("variant", "Variant", "string-keys: plain string keys (the library's \"user\" clashes); typed-keys: a key type of the program's own.",
                   {"string-keys", "typed-keys"}),
      int_param("requests", "Requests", "Requests handled, one goroutine each.", 4, 1, 1000),
  };
  return Sample{std::move(info), context_values_main};
}

}  // namespace goroscope::samples
