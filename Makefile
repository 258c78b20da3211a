# Thin layer over scripts/dev.sh, which does the work (see README.md).
#   make run                 install, build, start PostgreSQL, serve on :8080
#   make test [ARGS="-L unit"]   the same set-up, then every test via CTest
.PHONY: run test build deps db-start db-stop db-destroy clean bench ha-start ha-stop ha-status ha-destroy

DEV := scripts/dev.sh

run:
	@$(DEV) run $(ARGS)

test:
	@$(DEV) test $(ARGS)

build:
	@$(DEV) build

deps:
	@$(DEV) deps

db-start:
	@$(DEV) db-start

db-stop:
	@$(DEV) db-stop

db-destroy:
	@$(DEV) db-destroy

clean:
	@$(DEV) clean

bench:
	@$(DEV) bench $(ARGS)

# pg_auto_failover on loopback: monitor, primary, synchronous standby (.data/ha)
ha-start:
	@$(DEV) ha-start

ha-stop:
	@$(DEV) ha-stop

ha-status:
	@$(DEV) ha-status

ha-destroy:
	@$(DEV) ha-destroy
