package models

import (
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
)

func gormMySQL(cfg *gomysql.Config) gorm.Dialector {
	return mysql.New(mysql.Config{DSNConfig: cfg, DSN: cfg.FormatDSN()})
}
