// bank_transfer.cpp — two transfers lock two accounts in opposite orders: AB/BA deadlock.
//
//   racy:    func transfer(from, to *Account, n int) { from.mu.Lock(); to.mu.Lock(); ... }
//            go transfer(a, b, 10); go transfer(b, a, 20)           // can deadlock
//   ordered: lock the account with the lower id first, whatever the direction
#include <string>

#include "goroscope/sample_kit.hpp"

namespace goroscope::samples {

namespace {

struct Account {
  int id;
  gor::Mutex mu;
  gor::Shared<int64_t> balance;
  Account(int i, const char* mu_name, const char* name, int64_t b) : id(i), mu(mu_name), balance(b, name) {}
};

void bank_transfer_main(const SampleParams& p, SampleOutcome& out) {
  const bool ordered = p.get_choice("variant") == "ordered";
  const int64_t transfers = p.get_int("transfers");
  Account a{1, "a.mu", "a.balance", 1000};
  Account b{2, "b.mu", "b.balance", 1000};
  auto transfer = [ordered](Account& from, Account& to, int64_t amount) {
    Account& first = !ordered || from.id < to.id ? from : to;
    Account& second = &first == &from ? to : from;
    first.mu.lock();
    second.mu.lock();  // the other transfer may hold it, waiting for ours: AB/BA
    from.balance.store(from.balance.load() - amount);
    to.balance.store(to.balance.load() + amount);
    second.mu.unlock();
    first.mu.unlock();
  };
  out.say(ordered ? "ordered" : "racy", " variant: ", transfers, " transfers each way between accounts a and b");
  gor::WaitGroup wg{"wg"};
  wg.add(2);
  gor::go_named("a to b", [&] {
    for (int64_t i = 0; i < transfers; ++i) transfer(a, b, 10);
    wg.done();
  });
  gor::go_named("b to a", [&] {
    for (int64_t i = 0; i < transfers; ++i) transfer(b, a, 20);
    wg.done();
  });
  wg.wait();
  const int64_t total = a.balance.load() + b.balance.load();
  out.check(total == 2000, "money is conserved: a + b == 2000", "a + b = " + std::to_string(total));
  out.say("a = ", a.balance.load(), ", b = ", b.balance.load(), " (total ", total, ")");
  out.set("a", static_cast<double>(a.balance.load()));
  out.set("b", static_cast<double>(b.balance.load()));
}

}  // namespace

Sample bank_transfer() {
  SampleInfo info;
  info.id = "bank-transfer";
  info.title = "Bank transfer: AB/BA deadlock";
  info.topic = "sync";
  info.summary = "Two transfers lock two accounts in opposite orders: in some schedules each holds one lock and waits for the other forever.";
  info.explanation =
      "A transfer locks the account it takes money from, then the account it pays into, moves the "
      "money, and unlocks both. One goroutine transfers from a to b, another from b to a, a few times "
      "each. In the ordered variant every transfer locks the account with the lower id first, "
      "whichever way the money goes.\n\n"
      "What to watch: most schedules run fine, because one transfer takes both locks before the other "
      "starts. The failing schedule has goroutine \"a to b\" lock a.mu, then \"b to a\" lock b.mu: each "
      "now waits for the lock the other holds, main waits for both in wg.Wait, and Go reports `fatal "
      "error: all goroutines are asleep - deadlock!`. `goroscope-cli explore bank-transfer` finds it "
      "(strategy pct, seed 1: in 39 of 1,000 runs) and shows the shrunk schedule: two forced switches "
      "put the two goroutines' first Locks before either's second.\n\n"
      "Under the hood a Mutex is not reentrant and has no timeout; two goroutines that take two locks "
      "in opposite orders can always end in a wait-for cycle (Coffman's circular wait). In a larger "
      "program only the goroutines in the cycle stop, and Go says nothing at all: Goroscope's "
      "partial-deadlock detector names the cycle.\n\n"
      "The fix: a global lock order (here: by account id), or one lock for both accounts, or "
      "a single goroutine that owns the accounts and receives transfer requests on a channel.";
  info.default_procs = 2;
  info.suggested_dilation = 50;
  info.params = {
      choice_param("variant", "Variant", "racy: lock from, then to; ordered: lock the lower id first.",
                   {"racy", "ordered"}),
      int_param("transfers", "Transfers", "Transfers each way.", 3, 1, 1000),
  };
  return Sample{std::move(info), bank_transfer_main};
}

}  // namespace goroscope::samples
